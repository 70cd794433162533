import { FlowzoneError } from "@flowzone/errors";

/**
 * Where settings come from: the environment and the command line's flags (by flag name, without
 * the dashes). A flag wins over its environment variable, which wins over the default.
 */
export interface SettingSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly flags?: Readonly<Record<string, string | undefined>>;
}

/** What a setting is called and what it is for; the configuration reference lists these. */
export interface SettingInfo {
  /** Environment variable, e.g. `FLOWZONE_PDP_PORT`. */
  readonly env?: string | undefined;
  /** Flag name without dashes, e.g. `port` for `--port`. */
  readonly flag?: string | undefined;
  /** One sentence: what it sets. */
  readonly description: string;
  /** The default as a reader sees it, or undefined when the setting is required or has none. */
  readonly defaultText?: string | undefined;
}

/** One setting: how it is named and how its text becomes a value. */
export interface Setting<T> extends SettingInfo {
  /**
   * The value from `text` (undefined when neither the flag nor the variable is set).
   * @throws Error whose message says what is wrong with the text.
   */
  readonly resolve: (text: string | undefined) => T;
}

/** The values a record of settings reads to. */
export type SettingValues<S> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

/**
 * Reads every setting of `settings` from `sources` under flowzone's one set of rules: a flag wins
 * over its environment variable, which wins over the default; an environment variable set to ""
 * counts as unset (`FLOWZONE_PDP_PORT= flowzone pdp`), a flag given as "" is an error; surrounding
 * blanks are trimmed.
 *
 * @throws FlowzoneError `invalid_config` naming the flag or variable, its value and what is wrong.
 */
export function readSettings<S extends Record<string, Setting<unknown>>>(settings: S, sources: SettingSources): SettingValues<S> {
  const values: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(settings)) {
    const flagText = setting.flag === undefined ? undefined : sources.flags?.[setting.flag];
    const envText = setting.env === undefined ? undefined : sources.env[setting.env];
    const given =
      flagText !== undefined
        ? { name: `--${setting.flag ?? ""}`, text: flagText.trim() }
        : envText !== undefined && envText.trim() !== ""
          ? { name: setting.env ?? "", text: envText.trim() }
          : undefined;
    if (given?.text === "") throw invalidSetting(given.name, "must not be empty");
    try {
      values[key] = setting.resolve(given?.text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw invalidSetting(given?.name ?? primaryName(setting), given === undefined ? reason : `"${given.text}" ${reason}`);
    }
  }
  return values as SettingValues<S>;
}

/** The `invalid_config` error for a setting: the name first, as every flowzone setting error reads. */
export function invalidSetting(name: string, reason: string): FlowzoneError {
  return new FlowzoneError("invalid_config", `${name}: ${reason}`, { fieldViolations: [{ field: name, description: reason }] });
}

/** The name an error about a setting that was not given starts with: its flag, else its variable. */
export function primaryName(setting: SettingInfo): string {
  return setting.flag === undefined ? (setting.env ?? "") : `--${setting.flag}`;
}

/** How to give a setting, for messages about a missing one: `pass --policy or set FLOWZONE_POLICY`. */
export function howToGive(setting: SettingInfo): string {
  const ways = [setting.flag === undefined ? undefined : `pass --${setting.flag}`, setting.env === undefined ? undefined : `set ${setting.env}`];
  return ways.filter((way) => way !== undefined).join(" or ");
}
