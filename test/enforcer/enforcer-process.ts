/** `flowzone enforcer` as a child process that tests can SIGKILL and restart. */
import { TestProcess } from "../support/processes";
import { enforcerMain } from "./enforcer-harness";

export interface EnforcerProcessEnv {
  readonly brokers: string;
  /** FLOWZONE_KAFKA_CONFIG: the client properties file of the principal it runs as, if the broker wants one. */
  readonly kafkaConfigFile?: string | undefined;
  readonly policyDir: string;
  readonly routesFile: string;
  readonly auditTopic: string;
}

/** One enforcer that can be started again after a kill; each run is a {@link TestProcess}. */
export class EnforcerProcess {
  /** Every run so far, the current one last. */
  private readonly runs: TestProcess[] = [];

  constructor(
    readonly name: string,
    private readonly env: EnforcerProcessEnv,
  ) {}

  start(): void {
    enforcerMain();
    const run = TestProcess.flowzone(`enforcer ${this.name} (run ${this.runs.length + 1})`, ["enforcer", "--metrics-port", "0"], {
      env: {
        PATH: process.env.PATH ?? "",
        FLOWZONE_KAFKA_BROKERS: this.env.brokers,
        ...(this.env.kafkaConfigFile === undefined ? {} : { FLOWZONE_KAFKA_CONFIG: this.env.kafkaConfigFile }),
        FLOWZONE_POLICY: this.env.policyDir,
        FLOWZONE_ROUTES: this.env.routesFile,
        FLOWZONE_AUDIT_TOPIC: this.env.auditTopic,
        FLOWZONE_FLOWS_TOPIC: `${this.env.auditTopic}-flows`,
        // Its own control topic: bundles and flips other tests push to the shared one must not apply here.
        FLOWZONE_CONTROL_TOPIC: `${this.env.auditTopic}-control`,
        FLOWZONE_ENFORCER_SESSION_TIMEOUT_MS: "6000",
        FLOWZONE_LOG_LEVEL: "warn",
      },
    });
    this.runs.push(run);
  }

  /** The output of every run, to explain a failure. */
  get output(): string {
    return this.runs.map((run) => run.output()).join("\n");
  }

  /** Kills at once, as a crash would, mid-batch if one is in flight. */
  async kill(): Promise<void> {
    await this.current()?.kill();
  }

  /** SIGTERM and wait for the graceful exit (failing if none comes in 30 s); its exit code. */
  async stop(): Promise<number | null> {
    const run = this.current();
    if (run === undefined) return null;
    return (await run.stop("SIGTERM")).code;
  }

  /** The latest run (an exited one too: stopping or killing it gives how it ended). */
  private current(): TestProcess | undefined {
    return this.runs[this.runs.length - 1];
  }
}
