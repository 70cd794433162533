/**
 * The policy of the propagation benchmark: one zone, in logging, that the probe write violates;
 * under load (cluster mode) also the zones-20 labels and zones that the load's requests are decided by.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { flowzoneBundle } from "../common/workload";

export const ZONE = "propagation";
export const PROTECTED_LABEL = "propagation-data";

/** The probe: protected data written outside the zone, so logging → ALLOW and enforcement → DENY. */
export const PROBE_WRITE = {
  producer: "svc:propagation-probe",
  sink: "svc:propagation-outside",
  labels: [PROTECTED_LABEL],
} as const;

const BUNDLE = `kind: Defaults
enabled: true
mode: logging
failMode: open
quietPeriod: 1h
---
kind: Label
name: ${PROTECTED_LABEL}
description: Data the propagation benchmark's zone protects
---
kind: Zone
name: ${ZONE}
description: Flipped back and forth by npm run bench:propagation
owners: [bench]
protects: [${PROTECTED_LABEL}]
members: [svc:propagation-inside]
mode: logging
`;

/**
 * Writes the bundle into a fresh directory `dir`; with `loadWorkload`, zones-20's labels and zones
 * beside it (its defaults document is left out: this bundle has its own, and every zones-20 zone
 * names its mode).
 */
export function writeBundle(dir: string, loadWorkload: boolean): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "propagation.yaml"), BUNDLE);
  if (!loadWorkload) return;
  for (const file of flowzoneBundle().filter((f) => !f.content.startsWith("kind: Defaults"))) writeFileSync(join(dir, file.path), file.content);
}
