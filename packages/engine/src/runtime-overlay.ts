import { compilePatterns, matchesAny } from "./asset-id";
import type { PatternMatcher } from "./asset-id";
import type { CompiledBundle } from "./compiled-bundle";
import { MODES, effectiveMode } from "./modes";
import type { Mode, RuntimeState } from "./types";

/** An exception with its producer and sink patterns compiled. */
export interface CompiledException {
  readonly producer: PatternMatcher;
  readonly sink: PatternMatcher;
  readonly expiresAtMs: number;
}

/** Effective mode `off` as a number (its index in {@link MODES}); slot modes are numbers to stay in a typed array. */
export const OFF = 0;
/** Effective mode `enforcement` as a number (its index in {@link MODES}). */
export const ENFORCEMENT = 2;

/**
 * What runtime state changes about a compiled bundle, precomputed per slot: the effective mode
 * of every rule, the fail posture of every zone and the exceptions by zone. Cheap to rebuild on
 * every flip; the bundle index underneath is shared.
 */
export class RuntimeOverlay {
  /** Effective mode rank per slot. */
  readonly slotModes: Uint8Array;
  /** Zone mode after runtime override and master switch, by zone index. */
  readonly zoneModes: readonly Mode[];
  /** Whether any evaluated rule of the zone fails closed, by zone index. */
  readonly zoneFailsClosed: readonly boolean[];
  /** Exceptions by zone index; undefined when a zone has none. */
  readonly exceptions: readonly (readonly CompiledException[] | undefined)[];

  constructor(index: CompiledBundle, state: RuntimeState) {
    const enabled = index.bundle.defaults.enabled;
    this.slotModes = new Uint8Array(index.slotCount);
    const zoneModes: Mode[] = [];
    const failsClosed: boolean[] = [];
    for (const compiled of index.zones) {
      const zoneMode = state.zoneModes.get(compiled.zone.name) ?? compiled.zone.mode;
      zoneModes.push(effectiveMode(enabled, zoneMode, undefined));
      let closed = false;
      const slots = [undefined, ...compiled.zone.rules.map((rule) => rule.mode)];
      slots.forEach((ruleMode, offset) => {
        const slot = compiled.slot + offset;
        const rank = MODES.indexOf(effectiveMode(enabled, zoneMode, ruleMode));
        this.slotModes[slot] = rank;
        if (rank !== OFF && index.slotFailModes[slot] === "closed") closed = true;
      });
      failsClosed.push(closed);
    }
    this.zoneModes = zoneModes;
    this.zoneFailsClosed = failsClosed;
    const exceptions: CompiledException[][] = index.zones.map(() => []);
    for (const exception of state.exceptions) {
      const zone = index.zoneIndex.get(exception.zone);
      if (zone === undefined) continue;
      exceptions[zone]?.push({
        producer: compilePatterns([exception.producer]),
        sink: compilePatterns([exception.sink]),
        expiresAtMs: exception.expiresAtMs,
      });
    }
    this.exceptions = exceptions.map((list) => (list.length === 0 ? undefined : list));
  }
}

/** Whether an exception active at `nowMs` covers the producer and sink. */
export function excepted(
  exceptions: readonly CompiledException[],
  producer: string,
  sink: string,
  nowMs: number,
): boolean {
  for (const exception of exceptions) {
    if (exception.expiresAtMs > nowMs && matchesAny(exception.producer, producer) && matchesAny(exception.sink, sink)) {
      return true;
    }
  }
  return false;
}
