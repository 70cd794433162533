import type { Mode } from "@flowzone/engine";

/** The zone modes in order of strictness. */
export const MODES: readonly Mode[] = ["off", "logging", "enforcement"];

/** Narrows untrusted text (a request, a database row) to a {@link Mode}. */
export function isMode(value: unknown): value is Mode {
  return typeof value === "string" && (MODES as readonly string[]).includes(value);
}
