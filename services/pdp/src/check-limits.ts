import { checkCount, type Write } from "@flowzone/engine";
import type { Limits } from "./limits";
import { overLimit } from "./request-error";

/**
 * Refuses a write with more labels or sources than the service's limits allow, before the engine
 * sees it, so one request cannot make a decision arbitrarily expensive. The check and its
 * sentence are the engine's, which applies the bundle's own `maxLabels`/`maxSources` after it.
 */
export function checkLimits(write: Write, limits: Limits): void {
  checkCount("labels", write.labels.length, limits.maxLabels, "maxLabels of the decision service's limits");
  checkCount("sources", write.sources.length, limits.maxSources, "maxSources of the decision service's limits");
}

/** Refuses a batch larger than the limit, naming its size. */
export function checkBatchSize(size: number, limits: Limits): void {
  if (size > limits.maxBatch) throw overLimit("requests", size, limits.maxBatch);
}
