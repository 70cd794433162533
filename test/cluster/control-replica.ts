/**
 * One replica of `flowzone control` as a process of its own, on a store shared with the other
 * replicas (one PostgreSQL database): started again after a kill, asked whether it leads.
 */
import { join } from "node:path";

import { loggedPort, TestProcess } from "../support/processes";
import { RestartableProcess } from "../support/restartable-process";

export interface ControlReplicaEnv {
  readonly brokers: string;
  /** The shared store (`DATABASE_URL`). */
  readonly databaseUrl: string;
  readonly policyDir: string;
  /** A folder of the test's; each replica gets its own home under it. */
  readonly workDir: string;
}

export class ControlReplica extends RestartableProcess {
  constructor(name: string, env: ControlReplicaEnv) {
    super(name, (run) =>
      TestProcess.flowzone(`control ${name} (run ${run})`, ["control", "--policy", env.policyDir, "--home", join(env.workDir, `home-${name}`), "--http-port", "0", "--grpc-port", "0"], {
        env: {
          PATH: process.env.PATH ?? "",
          DATABASE_URL: env.databaseUrl,
          FLOWZONE_CONTROL_REPLICA_ID: name,
          FLOWZONE_KAFKA_BROKERS: env.brokers,
          FLOWZONE_LOG_FORMAT: "json",
        },
      }),
    );
  }

  /** Waits until the current run's API listens; its base URL. */
  async listening(timeoutMs = 90_000): Promise<string> {
    const run = this.current;
    if (run === undefined) throw new Error(`control ${this.name} was never started`);
    await run.waitFor("its 'control plane API listening' line", (p) => loggedPort(p.stdout, "control plane API listening", "httpPort") !== undefined, timeoutMs);
    return this.baseUrl();
  }

  /** The current run's HTTP API, once it listens. */
  baseUrl(): string {
    const port = loggedPort(this.current?.stdout ?? "", "control plane API listening", "httpPort");
    if (port === undefined) throw new Error(`control ${this.name} does not listen yet`);
    return `http://127.0.0.1:${port}`;
  }

  /** Whether the current run says it leads the store (`leader` of its /readyz); false while it is down or not ready. */
  async leads(): Promise<boolean> {
    if (this.current?.alive !== true) return false;
    const response = await fetch(`${this.baseUrl()}/readyz`, { signal: AbortSignal.timeout(5_000) });
    if (response.status !== 200) return false;
    const { leader } = (await response.json()) as { leader?: unknown };
    if (typeof leader !== "boolean") throw new Error(`control ${this.name}'s /readyz does not say whether it leads`);
    return leader;
  }
}
