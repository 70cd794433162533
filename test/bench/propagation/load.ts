/**
 * The load the replicas serve while the zone flips (cluster mode): bench:pdp's paced open-loop
 * generator sending zones-20 unary `Check`s to every replica at a fixed rate, in rounds, until
 * stopped. Every answer is compared with the workload's decision (the flipped zone protects a
 * label no zones-20 request carries, so flips must not change them); one difference fails the run.
 */
import type * as grpc from "@grpc/grpc-js";

import { connect, runPaced, waitForReady, type CallPool } from "../common/load-generator";
import { buildPools } from "../common/pools";
import { median } from "../common/stats";

/** Length of one paced round: short enough that stopping waits little, long enough for a stable p99. */
const ROUND_MS = 2000;

export interface LoadSummary {
  readonly ratePerReplica: number;
  readonly replicas: number;
  readonly calls: number;
  readonly seconds: number;
  /** Medians over every replica's rounds. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** How late the generator itself sent, p99, median over rounds (the machine is shared). */
  readonly lateP99Ms: number;
}

export interface RunningLoad {
  /** Ends the load after the current round; resolves with what was served. */
  stop(): Promise<LoadSummary>;
}

async function replicaLoad(client: grpc.Client, pool: CallPool, rate: number, stopped: () => boolean): Promise<{ calls: number; seconds: number; p50: number[]; p99: number[]; late: number[] }> {
  const out = { calls: 0, seconds: 0, p50: [] as number[], p99: [] as number[], late: [] as number[] };
  while (!stopped()) {
    const round = await runPaced(client, pool, rate, ROUND_MS, out.calls);
    if (round.mismatches > 0) throw new Error(`load: ${round.mismatches} answers differ from the workload's decisions (first at request ${round.firstMismatch})`);
    out.calls += round.calls;
    out.seconds += round.seconds;
    out.p50.push(round.p50Ms);
    out.p99.push(round.p99Ms);
    out.late.push(round.lateP99Ms);
  }
  return out;
}

/** Starts `rate` calls/s on each address; a failed call or a wrong decision rejects `stop()`. */
export async function startLoad(addresses: readonly string[], rate: number): Promise<RunningLoad> {
  const clients = addresses.map((address) => connect(address));
  await Promise.all(clients.map((client) => waitForReady(client, 10_000)));
  const pool = buildPools().flowzoneUnary;
  let stopped = false;
  const runs = Promise.all(clients.map((client) => replicaLoad(client, pool, rate, () => stopped)));
  // Observed here so that a failure before stop() is not an unhandled rejection; stop() rethrows it.
  void runs.catch(() => undefined);
  return {
    async stop() {
      stopped = true;
      try {
        const done = await runs;
        return {
          ratePerReplica: rate,
          replicas: addresses.length,
          calls: done.reduce((n, r) => n + r.calls, 0),
          seconds: Math.max(...done.map((r) => r.seconds)),
          p50Ms: median(done.flatMap((r) => r.p50)),
          p99Ms: median(done.flatMap((r) => r.p99)),
          lateP99Ms: median(done.flatMap((r) => r.late)),
        };
      } finally {
        for (const client of clients) client.close();
      }
    },
  };
}
