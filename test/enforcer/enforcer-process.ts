/** `flowzone enforcer` as a child process that tests can SIGKILL and restart. */
import { TestProcess } from "../support/processes";
import { RestartableProcess } from "../support/restartable-process";
import { enforcerMain } from "./enforcer-harness";

export interface EnforcerProcessEnv {
  readonly brokers: string;
  /** FLOWZONE_KAFKA_CONFIG: the client properties file of the principal it runs as, if the broker wants one. */
  readonly kafkaConfigFile?: string | undefined;
  readonly policyDir: string;
  readonly routesFile: string;
  readonly auditTopic: string;
  /**
   * The control topic it follows; `<auditTopic>-control` unless given, a topic of its own, so
   * bundles and flips other tests push to the shared one do not apply here.
   */
  readonly controlTopic?: string;
  /** The flows topic; `<auditTopic>-flows` unless given. */
  readonly flowsTopic?: string;
  /** FLOWZONE_ENFORCER_SESSION_TIMEOUT_MS; 6000 unless given (a killed process's partitions move on after it). */
  readonly sessionTimeoutMs?: number;
  /** FLOWZONE_LOG_LEVEL; `warn` unless given (`info` logs the policy version in force, see {@link loggedPolicyVersion}). */
  readonly logLevel?: string;
}

/** One enforcer that can be started again after a kill; each run is a {@link TestProcess}. */
export class EnforcerProcess extends RestartableProcess {
  constructor(name: string, env: EnforcerProcessEnv) {
    super(name, (run) => {
      enforcerMain();
      return TestProcess.flowzone(`enforcer ${name} (run ${run})`, ["enforcer", "--metrics-port", "0"], {
        env: {
          PATH: process.env.PATH ?? "",
          FLOWZONE_KAFKA_BROKERS: env.brokers,
          ...(env.kafkaConfigFile === undefined ? {} : { FLOWZONE_KAFKA_CONFIG: env.kafkaConfigFile }),
          FLOWZONE_POLICY: env.policyDir,
          FLOWZONE_ROUTES: env.routesFile,
          FLOWZONE_AUDIT_TOPIC: env.auditTopic,
          FLOWZONE_FLOWS_TOPIC: env.flowsTopic ?? `${env.auditTopic}-flows`,
          FLOWZONE_CONTROL_TOPIC: env.controlTopic ?? `${env.auditTopic}-control`,
          FLOWZONE_ENFORCER_SESSION_TIMEOUT_MS: String(env.sessionTimeoutMs ?? 6000),
          FLOWZONE_LOG_LEVEL: env.logLevel ?? "warn",
          FLOWZONE_LOG_FORMAT: "json",
        },
      });
    });
  }

  /**
   * The policy version the current run decides under, as it logged it (needs `logLevel: "info"`):
   * the version of its "enforcer started" line, or of its last "policy in force changed".
   */
  policyVersion(): string | undefined {
    return loggedPolicyVersion(this.current?.stdout ?? "");
  }
}

/** The policy version of the last "enforcer started" or "policy in force changed" JSON line in `stdout`. */
export function loggedPolicyVersion(stdout: string): string | undefined {
  let version: string | undefined;
  for (const line of stdout.split("\n")) {
    if (!line.includes('"enforcer started"') && !line.includes('"policy in force changed"')) continue;
    const entry = JSON.parse(line) as { policyVersion?: unknown };
    if (typeof entry.policyVersion === "string") version = entry.policyVersion;
  }
  return version;
}
