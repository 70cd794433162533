/**
 * The "backlog-1m" workload (test/bench/README.md): zone z0 of zones-20 holds violation
 * signatures of distinct producers `svc:p-i` writing label-0 to one sink outside the zone.
 */
import type { SignatureKey } from "@flowzone/control";

export const FILLED_ZONE = "z0";
export const RULE = "boundary";
export const SINK = "svc:outside-0";
export const LABELS: readonly string[] = ["label-0"];

/** Signature i of the workload: the fill holds 0 .. n-1, ingestion adds the ones after. */
export function flow(i: number): SignatureKey {
  return { zone: FILLED_ZONE, rule: RULE, producer: `svc:p-${i}`, sink: SINK, labels: LABELS };
}
