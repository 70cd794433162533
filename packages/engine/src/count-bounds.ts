/**
 * How many labels and source assets one write may list. A bound keeps one write (a request, a
 * record's headers, an SDK send) from making a decision, its audit records and its error lines
 * arbitrarily expensive. The decision service, the enforcer and the SDK all decide through the
 * engine, so this is the one place the bound lives; the bundle's Defaults may change it.
 */

/** The bounds unless the bundle's Defaults set `maxLabels` or `maxSources`. */
export const DEFAULT_MAX_LABELS = 64;
export const DEFAULT_MAX_SOURCES = 64;

/** What the Defaults document may set `maxLabels` and `maxSources` to. */
export const MAX_COUNT_RANGE = { min: 1, max: 10_000 } as const;

/** The sentence for a list over its bound; `setting` says where the bound is set. */
export function tooManyMessage(field: string, count: number, max: number, setting: string): string {
  return `${field} lists ${count} entries; the most accepted is ${max} (${setting})`;
}
