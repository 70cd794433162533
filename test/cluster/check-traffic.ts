/**
 * Producers asking the decision services before they write: one banana write checked every
 * `pauseMs`, round robin over the replicas, until stopped. Keeps every answer, so the test can
 * find each answered violation on the audit trail, and every failed call.
 */
import { setTimeout as delay } from "node:timers/promises";

import type { CheckResponse } from "@flowzone/proto";

import type { CheckInit, DecisionClient } from "../pdp/pdp-harness";

const CHECKED_WRITE: CheckInit = { producer: "svc:banana-app", sink: "svc:ads-ranker", labels: ["banana"] };

export class CheckTraffic {
  readonly answers: CheckResponse[] = [];
  readonly failures: string[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly replicas: readonly DecisionClient[],
    private readonly pauseMs: number,
  ) {
    this.loop = this.run();
  }

  /** Stops the loop once the check in flight is answered. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Checks the write on one replica, keeping the answer (every answer with a violation must be on the audit trail). */
  async check(replica: number): Promise<CheckResponse> {
    const client = this.replicas[replica];
    if (client === undefined) throw new Error(`no decision service replica ${replica}`);
    const answer = await client.check(CHECKED_WRITE);
    this.answers.push(answer);
    return answer;
  }

  private async run(): Promise<void> {
    for (let i = 0; this.running; i++) {
      try {
        await this.check(i % this.replicas.length);
      } catch (error) {
        this.failures.push(`replica ${i % this.replicas.length}: ${String(error)}`);
      }
      await delay(this.pauseMs);
    }
  }
}
