import type { Write } from "@flowzone/engine";
import type { Limits } from "./limits";
import { RequestError } from "./request-error";

/**
 * Refuses a write with more labels or sources than the limits allow, before the engine sees it,
 * so one request cannot make a decision arbitrarily expensive.
 */
export function checkLimits(write: Write, limits: Limits): void {
  if (write.labels.length > limits.maxLabels) {
    throw new RequestError("labels", String(write.labels.length), `${write.labels.length} labels exceed the limit of ${limits.maxLabels}`);
  }
  if (write.sources.length > limits.maxSources) {
    throw new RequestError("sources", String(write.sources.length), `${write.sources.length} sources exceed the limit of ${limits.maxSources}`);
  }
}

/** Refuses a batch larger than the limit, naming its size. */
export function checkBatchSize(size: number, limits: Limits): void {
  if (size > limits.maxBatch) {
    throw new RequestError("requests", String(size), `${size} requests exceed the limit of ${limits.maxBatch}`);
  }
}
