import { ConfigError } from "./config-error";
import { DEFAULTS } from "./defaults";

/** Command-line flags of `flowzone control`, as the CLI parsed them (strings, unvalidated). */
export interface ControlServiceFlags {
  readonly host?: string | undefined;
  readonly httpPort?: string | undefined;
  readonly grpcPort?: string | undefined;
  readonly tokens?: string | undefined;
}

/** The settings `controlServiceConfig` reads; spread into `startControlService` options. */
export interface ControlServiceConfig {
  readonly host: string;
  readonly httpPort: number;
  readonly grpcPort: number;
  /** The token file (`FLOWZONE_TOKENS`); undefined runs the API open, for development only. */
  readonly tokensFile: string | undefined;
}

/**
 * Reads the control service's settings, the one place that looks at the environment: flags win
 * over `FLOWZONE_CONTROL_HOST` / `FLOWZONE_CONTROL_PORT` / `FLOWZONE_CONTROL_GRPC_PORT` /
 * `FLOWZONE_TOKENS`, which win over defaults. Called at start-up, never at import.
 *
 * @throws ConfigError naming the flag or variable and the bad value.
 */
export function controlServiceConfig(env: Readonly<Record<string, string | undefined>>, flags: ControlServiceFlags): ControlServiceConfig {
  const host = pick(flags.host, "--host", env["FLOWZONE_CONTROL_HOST"], "FLOWZONE_CONTROL_HOST");
  const httpPort = pick(flags.httpPort, "--http-port", env["FLOWZONE_CONTROL_PORT"], "FLOWZONE_CONTROL_PORT");
  const grpcPort = pick(flags.grpcPort, "--grpc-port", env["FLOWZONE_CONTROL_GRPC_PORT"], "FLOWZONE_CONTROL_GRPC_PORT");
  const tokens = pick(flags.tokens, "--tokens", env["FLOWZONE_TOKENS"], "FLOWZONE_TOKENS");
  const config = {
    host: host?.value ?? DEFAULTS.host,
    httpPort: httpPort === undefined ? DEFAULTS.httpPort : parsePort(httpPort),
    grpcPort: grpcPort === undefined ? DEFAULTS.grpcPort : parsePort(grpcPort),
    tokensFile: tokens?.value,
  };
  if (config.httpPort !== 0 && config.httpPort === config.grpcPort) {
    throw new ConfigError(grpcPort?.setting ?? "--grpc-port", `${config.grpcPort} is also the HTTP port; HTTP and gRPC need different ports`);
  }
  return config;
}

interface Setting {
  readonly setting: string;
  readonly value: string;
}

function pick(flag: string | undefined, flagName: string, envValue: string | undefined, envName: string): Setting | undefined {
  const chosen = flag !== undefined ? { setting: flagName, value: flag } : envValue !== undefined ? { setting: envName, value: envValue } : undefined;
  if (chosen !== undefined && chosen.value.trim() === "") {
    throw new ConfigError(chosen.setting, "must not be empty");
  }
  return chosen;
}

function parsePort({ setting, value }: Setting): number {
  const port = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(port) || port > 65535) {
    throw new ConfigError(setting, `"${value}" is not a port; use an integer from 0 to 65535 (0 picks a free port)`);
  }
  return port;
}
