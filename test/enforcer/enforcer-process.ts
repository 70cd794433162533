/** `flowzone enforcer` as a child process that tests can SIGKILL and restart. */
import { spawn, type ChildProcess } from "node:child_process";

import { enforcerMain } from "./enforcer-harness";

export interface EnforcerProcessEnv {
  readonly brokers: string;
  readonly policyDir: string;
  readonly routesFile: string;
  readonly auditTopic: string;
}

export class EnforcerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  /** The child's output, kept to explain a failure. */
  output = "";

  constructor(
    readonly name: string,
    private readonly env: EnforcerProcessEnv,
  ) {}

  start(): void {
    const child = spawn(process.execPath, [enforcerMain(), "enforcer", "--metrics-port", "0"], {
      env: {
        PATH: process.env.PATH ?? "",
        FLOWZONE_KAFKA_BROKERS: this.env.brokers,
        FLOWZONE_POLICY: this.env.policyDir,
        FLOWZONE_ROUTES: this.env.routesFile,
        FLOWZONE_AUDIT_TOPIC: this.env.auditTopic,
        // Its own control topic: bundles and flips other tests push to the shared one must not apply here.
        FLOWZONE_CONTROL_TOPIC: `${this.env.auditTopic}-control`,
        FLOWZONE_ENFORCER_SESSION_TIMEOUT_MS: "6000",
        FLOWZONE_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    this.exited = new Promise((resolve) => child.once("exit", (code) => { resolve(code); }));
    this.child = child;
  }

  /** Kills at once, as a crash would, mid-batch if one is in flight. */
  async kill(): Promise<void> {
    this.child?.kill("SIGKILL");
    await this.exited;
    this.child = undefined;
  }

  /** SIGTERM and wait for the graceful exit; its exit code. */
  async stop(): Promise<number | null> {
    if (this.child === undefined) return null;
    this.child.kill("SIGTERM");
    const code = await this.exited;
    this.child = undefined;
    return code;
  }
}
