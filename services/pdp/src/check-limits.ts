import type { Write } from "@flowzone/engine";
import type { Limits } from "./limits";
import { overLimit } from "./request-error";

/**
 * Refuses a write with more labels or sources than the limits allow, before the engine sees it,
 * so one request cannot make a decision arbitrarily expensive.
 */
export function checkLimits(write: Write, limits: Limits): void {
  if (write.labels.length > limits.maxLabels) throw overLimit("labels", write.labels.length, limits.maxLabels);
  if (write.sources.length > limits.maxSources) throw overLimit("sources", write.sources.length, limits.maxSources);
}

/** Refuses a batch larger than the limit, naming its size. */
export function checkBatchSize(size: number, limits: Limits): void {
  if (size > limits.maxBatch) throw overLimit("requests", size, limits.maxBatch);
}
