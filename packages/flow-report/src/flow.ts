import { createHash } from "node:crypto";

/**
 * A flow: who wrote data with which labels, from which sources, to where, and why; the fields of
 * an engine `Write` (any Write is a Flow). The inventory counts decisions per flow.
 */
export interface Flow {
  readonly producer: string;
  readonly sink: string;
  readonly labels: readonly string[];
  readonly sources: readonly string[];
  /** "" when the write declared none. */
  readonly purpose: string;
}

/**
 * The flow in canonical form: labels and sources sorted (JavaScript's default order, by UTF-16
 * code unit; byte order for ASCII) and without duplicates, so the order a producer happened to
 * list them in never splits one flow into two.
 */
export function canonicalFlow(flow: Flow): Flow {
  return { producer: flow.producer, sink: flow.sink, labels: sortedUnique(flow.labels), sources: sortedUnique(flow.sources), purpose: flow.purpose };
}

/**
 * The flow's signature, the key of its record on `flowzone.flows.v1`: the hex SHA-256 of the
 * UTF-8 bytes of `JSON.stringify([producer, sink, labels, sources, purpose])` over the canonical
 * form (no whitespace; the way the control plane's violation signatures are made). A JSON array of
 * strings is unambiguous (every string quoted and escaped), so two different flows never share
 * one encoding; every decision point, and anyone else, computes the same signature for a flow.
 */
export function flowSignature(flow: Flow): string {
  const canonical = canonicalFlow(flow);
  const text = JSON.stringify([canonical.producer, canonical.sink, canonical.labels, canonical.sources, canonical.purpose]);
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function sortedUnique(items: readonly string[]): string[] {
  return [...new Set(items)].sort();
}
