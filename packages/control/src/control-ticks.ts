import type { Logger } from "@flowzone/logging";

import { pruneRecordIds, RECORD_ID_RETENTION_MS } from "./backlog-store";
import type { Clock } from "./clock";
import type { ControlPlaneService } from "./control-plane-service";
import type { Database } from "./database";
import { DECISION_POINT_RETENTION_MS, pruneDecisionPoints } from "./decision-point-store";
import { dueExceptions } from "./exception-store";
import { pruneFlows } from "./flow-store";
import { prunePublished } from "./outbox-store";
import { pruneDecisionBuckets } from "./signature-store";

/** Decision buckets are kept this long beyond the longest quiet period. */
const BUCKET_RETENTION_SLACK_MS = 86_400_000;
/** Published outbox records are kept this long, to tell what was sent when. */
const OUTBOX_RETENTION_MS = 86_400_000;

/**
 * One pass of the control plane's own duties: expire exceptions, flip `autoEnforce` zones that
 * are ready, prune decision buckets no quiet period reaches, the ids of records counted long
 * ago, outbox records published long ago, flows (with their count buckets) unseen for
 * `flowRetentionMs`, and decision points that stopped reporting. Exposed so tests drive it with an injected clock instead of waiting for a timer.
 */
export async function runTick(service: ControlPlaneService, db: Database, clock: Clock, longestQuietMs: number, flowRetentionMs: number): Promise<void> {
  await service.expireExceptions(await dueExceptions(db, clock.now()));
  await service.autoEnforce();
  await pruneDecisionBuckets(db, clock.now() - longestQuietMs - BUCKET_RETENTION_SLACK_MS);
  await pruneRecordIds(db, clock.now() - RECORD_ID_RETENTION_MS);
  await prunePublished(db, clock.now() - OUTBOX_RETENTION_MS);
  await pruneFlows(db, clock.now() - flowRetentionMs);
  await pruneDecisionPoints(db, clock.now() - DECISION_POINT_RETENTION_MS);
}

/** A timer running {@link runTick} every `tickMs`; a failed tick is logged and the next one runs. */
export function startTicks(run: () => Promise<void>, tickMs: number, logger: Logger): { stop(): Promise<void> } {
  const log = logger.child({ component: "control-ticks" });
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running !== undefined) return;
    running = run()
      .catch((error: unknown) => {
        log.error({ err: error }, "control tick failed; retrying at the next tick");
      })
      .finally(() => {
        running = undefined;
      });
  }, tickMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
