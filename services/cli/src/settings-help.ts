import type { SettingInfo } from "@flowzone/service-kit";

/**
 * The settings part of a command's `--help`, made from the settings themselves so the help
 * cannot drift from what the command reads: flag, variable, what it sets, its default.
 */
export function settingsHelp(settings: Readonly<Record<string, SettingInfo>>): string {
  const rows = Object.values(settings).map((setting) => {
    const names = [setting.flag === undefined ? undefined : `--${setting.flag}`, setting.env].filter((name) => name !== undefined).join(", ");
    const fallback = setting.defaultText === undefined ? "" : ` (default ${setting.defaultText})`;
    return { names, text: `${setting.description}${fallback}` };
  });
  const width = Math.max(...rows.map((row) => row.names.length)) + 2;
  return rows.map((row) => `  ${row.names.padEnd(width)}${row.text}`).join("\n");
}
