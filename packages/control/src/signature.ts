import { createHash } from "node:crypto";

/** What makes two violations "the same" (docs/reference/evaluation.md, "The backlog"). */
export interface SignatureKey {
  readonly zone: string;
  readonly rule: string;
  readonly producer: string;
  readonly sink: string;
  readonly labels: readonly string[];
}

/** Labels as a signature holds them: sorted and de-duplicated, so order never splits a signature. */
export function normaliseLabels(labels: readonly string[]): string[] {
  return [...new Set(labels)].sort();
}

/**
 * The stable id of a signature: the first 32 hex digits of the sha256 of its canonical JSON.
 * Deterministic, so every control-plane replica and every restart computes the same row key,
 * and short enough for a URL (`POST /v1/violations/{id}/fixed`).
 */
export function signatureId(key: SignatureKey): string {
  const canonical = JSON.stringify([key.zone, key.rule, key.producer, key.sink, normaliseLabels(key.labels)]);
  return createHash("sha256").update(canonical).digest("hex").slice(0, 32);
}
