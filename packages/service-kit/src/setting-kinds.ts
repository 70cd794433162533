import { howToGive, type Setting, type SettingInfo } from "./settings";

type Named = Omit<SettingInfo, "defaultText">;

/** A text setting that must be given: the message says how to give it. */
export function requiredText(info: Named & { readonly what: string }): Setting<string> {
  return {
    ...info,
    resolve(text) {
      if (text === undefined) throw new Error(`no ${info.what} given; ${howToGive(info)}`);
      return text;
    },
  };
}

/** A text setting with a default (undefined: the setting is optional and has none). */
export function text<D extends string | undefined>(info: Named & { readonly default: D }): Setting<string | D> {
  return { ...info, defaultText: info.default, resolve: (given) => given ?? info.default };
}

/** A TCP port from 0 to 65535; 0 picks a free one. */
export function port(info: Named & { readonly default: number }): Setting<number> {
  return {
    ...info,
    defaultText: String(info.default),
    resolve(given) {
      if (given === undefined) return info.default;
      const value = /^\d{1,5}$/.test(given) ? Number(given) : NaN;
      if (!(value <= 65535)) throw new Error("is not a port; use an integer from 0 to 65535 (0 picks a free port)");
      return value;
    },
  };
}

/** A whole number within bounds, e.g. a timeout in milliseconds (the unit belongs in the name). */
export function integer<D extends number | undefined>(info: Named & { readonly default: D; readonly min: number; readonly max: number }): Setting<number | D> {
  return {
    ...info,
    defaultText: info.default === undefined ? undefined : String(info.default),
    resolve(given) {
      if (given === undefined) return info.default;
      const value = /^\d+$/.test(given) ? Number(given) : NaN;
      if (!(value >= info.min && value <= info.max)) throw new Error(`must be a whole number from ${info.min} to ${info.max}`);
      return value;
    },
  };
}

/** One of a closed set of words. */
export function choice<const C extends string>(info: Named & { readonly choices: readonly C[]; readonly default: C }): Setting<C> {
  return {
    ...info,
    defaultText: info.default,
    resolve(given) {
      if (given === undefined) return info.default;
      const found = info.choices.find((c) => c === given.toLowerCase());
      if (found === undefined) throw new Error(`must be one of ${info.choices.join(", ")}`);
      return found;
    },
  };
}

/** A value parsed by `parse`, which throws an Error saying what is wrong; undefined when not given. */
export function parsed<T>(info: Named & { readonly parse: (text: string) => T }): Setting<T | undefined> {
  return { ...info, resolve: (given) => (given === undefined ? undefined : info.parse(given)) };
}
