import { pino } from "pino";

/**
 * pino appends a child's bindings to its parent's as text, so `child({ component: "metrics" })` of a
 * logger bound to `component: "pdp"` writes `"component":"pdp","component":"metrics"`, and a call's
 * own fields are appended after the bindings the same way. A line with a key twice is read
 * differently by different tools (most keep the last, some the first, some reject it). These hooks
 * keep one of each key, the innermost value winning: a child's binding replaces its parent's, a
 * call's field replaces a binding for that line.
 */

type WithChindings = Record<symbol, string | undefined>;

const { chindingsSym } = pino.symbols;

/** The keys each logger (root or child) has bound, to spot a call that repeats one. */
const boundKeys = new WeakMap<pino.Logger, ReadonlySet<string>>();

function parseChindings(chindings: string): Record<string, unknown> {
  return chindings === "" ? {} : (JSON.parse(`{${chindings.slice(1)}}`) as Record<string, unknown>);
}

/**
 * Rewrites a new logger's bindings so that each key appears once (JSON.parse keeps a key's first
 * position and its last value), and remembers its keys. pino's `onChild`, also called on the root.
 */
export function uniqueBindings(logger: pino.Logger): void {
  const holder = logger as unknown as WithChindings;
  const bindings = parseChindings(holder[chindingsSym] ?? "");
  const text = JSON.stringify(bindings).slice(1, -1);
  holder[chindingsSym] = text === "" ? "" : `,${text}`;
  boundKeys.set(logger, new Set(Object.keys(bindings)));
}

/**
 * pino's `logMethod` hook: a call whose fields repeat a bound key is written through a one-off
 * child bound to the call's values, so the line carries each key once. Calls that repeat nothing
 * (nearly all) cost one lookup per field.
 */
export function uniqueCallFields(this: pino.Logger, args: Parameters<pino.LogFn>, method: pino.LogFn): void {
  const [first, ...rest] = args as unknown[];
  const bound = boundKeys.get(this);
  if (bound !== undefined && typeof first === "object" && first !== null && !(first instanceof Error)) {
    const fields = Object.entries(first);
    if (fields.some(([key]) => bound.has(key))) {
      const own = Object.fromEntries(fields.filter(([key]) => !bound.has(key)));
      const rebound = Object.fromEntries(fields.filter(([key]) => bound.has(key)));
      method.apply(this.child(rebound), [own, ...rest] as Parameters<pino.LogFn>);
      return;
    }
  }
  method.apply(this, args);
}
