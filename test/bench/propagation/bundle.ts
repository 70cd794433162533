/** The policy of the propagation benchmark: one zone, in logging, that the probe write violates. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

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

/** Writes the bundle into a fresh directory `dir`. */
export function writeBundle(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "propagation.yaml"), BUNDLE);
}
