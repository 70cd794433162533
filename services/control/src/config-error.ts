/**
 * A bad setting (flag, environment variable or option). The CLI prints its message and exits 2;
 * the message names the setting and the value so the operator can fix it without reading code.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";

  constructor(
    /** The flag or variable, e.g. `--http-port` or `FLOWZONE_CONTROL_PORT`. */
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
  }
}
