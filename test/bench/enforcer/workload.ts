/**
 * The stream workload of bench:enforcer: one bundle and one record generator shared by the
 * enforcer and the pass-through pipe. Record k carries `flowzone-labels`:
 * - k mod 100 in 0..29: `pii` (zone pii, logging mode: forwarded and audited),
 * - k mod 100 in 30..31: `health` (zone health, enforcement: quarantined and audited),
 * - otherwise `public` (protected by no zone: forwarded, no audit).
 * No output topic is a member of either zone, so those shares are exactly the violations.
 */
import type { IHeaders, Message } from "kafkajs";

export const LOGGING_SHARE = 0.3;
export const ENFORCED_SHARE = 0.02;
/** Header the load generator stamps with Date.now() when it sends a paced record. */
export const SENT_HEADER = "bench-sent-ms";
const VALUE_BYTES = 200;

export function bundleYaml(): string {
  const doc = (lines: readonly string[]): string => lines.join("\n");
  return [
    doc(["kind: Label", "name: public"]),
    doc(["kind: Label", "name: pii"]),
    doc(["kind: Label", "name: health"]),
    doc(["kind: Zone", "name: pii", "protects: [pii]", "members: [kafka:analytics-*]", "mode: logging"]),
    doc(["kind: Zone", "name: health", "protects: [health]", "members: [kafka:clinic-*]", "mode: enforcement"]),
  ].join("\n---\n") + "\n";
}

export function labelOf(k: number): string {
  const m = k % 100;
  if (m < LOGGING_SHARE * 100) return "pii";
  if (m < (LOGGING_SHARE + ENFORCED_SHARE) * 100) return "health";
  return "public";
}

/** True when record k goes to quarantine (its zone enforces). */
export function quarantinedRecord(k: number): boolean {
  return labelOf(k) === "health";
}

/** Records among 0 .. n-1 with each outcome. */
export function expectedCounts(n: number): { forwarded: number; quarantined: number; audits: number } {
  let quarantined = 0;
  let audits = 0;
  for (let k = 0; k < n; k++) {
    const label = labelOf(k);
    if (label === "health") quarantined++;
    if (label !== "public") audits++;
  }
  return { forwarded: n - quarantined, quarantined, audits };
}

const PAD = "x".repeat(VALUE_BYTES);

/** Record k: a key over 10,000 users, a ~200-byte JSON value, the flowzone labels and a content type. */
export function benchRecord(k: number, sentMs?: number): Message {
  const head = `{"k":${k},"user":"u-${k % 10_000}","event":"page_view","pad":"`;
  const value = Buffer.from(`${head}${PAD.slice(0, Math.max(0, VALUE_BYTES - head.length - 2))}"}`);
  const headers: IHeaders = { "flowzone-labels": labelOf(k), "content-type": "application/json" };
  if (sentMs !== undefined) headers[SENT_HEADER] = String(sentMs);
  return { key: `u-${k % 10_000}`, value, headers };
}
