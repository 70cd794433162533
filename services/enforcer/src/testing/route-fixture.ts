/**
 * The bundle, engine and route the enforcer's specs decide records with: banana (logging,
 * members kafka:banana-*, purpose research) and health (enforcement, members kafka:health-*),
 * with kafka:in carrying banana (or the labels fixtureEngine is given) and table:patients carrying health.
 */
import { PolicyEngine, formatBundleError, parseBundle } from "@flowzone/engine";

import type { Route } from "../route";

const BUNDLE = `
kind: Label
name: banana
---
kind: Label
name: health
---
kind: Asset
id: kafka:in
labels: [IN_LABELS]
---
kind: Asset
id: table:patients
labels: [health]
---
kind: Zone
name: banana
protects: [banana]
members: [kafka:banana-*]
mode: logging
purposes: [research]
---
kind: Zone
name: health
protects: [health]
members: [kafka:health-*]
mode: enforcement
`;

/** The fixture bundle compiled; `inLabels`, the labels kafka:in carries, banana unless given. */
export function fixtureEngine(inLabels: readonly string[] = ["banana"]): PolicyEngine {
  const parsed = parseBundle([{ path: "bundle.yaml", content: BUNDLE.replace("IN_LABELS", inLabels.join(", ")) }]);
  if (!parsed.ok) throw new Error(parsed.errors.map(formatBundleError).join("\n"));
  return PolicyEngine.compile(parsed.bundle);
}

/** A route from `in` to `out`, quarantining to `out.quarantine`. */
export const FIXTURE_ROUTE: Route = { name: "r", from: "in", to: "out", quarantine: "out.quarantine", producer: "svc:enricher" };
