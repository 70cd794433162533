import { CompiledBundle } from "./compiled-bundle";
import { evaluate } from "./evaluate";
import { RuntimeOverlay } from "./runtime-overlay";
import { INITIAL_STATE } from "./runtime-state";
import type { Bundle, Decision, FailMode, Mode, RuntimeState, Write } from "./types";

/**
 * A bundle compiled for deciding writes, with one runtime state layered over it. Immutable: a
 * reload or a control change builds a new engine and the caller swaps one reference, so every
 * decision is made by exactly one policy version.
 */
export class PolicyEngine {
  /** `${bundle.digest}@${state.epoch}`: the policy version every decision carries. */
  readonly version: string;
  /** The bundle this engine was compiled from. */
  readonly bundle: Bundle;

  private constructor(
    private readonly index: CompiledBundle,
    readonly state: RuntimeState,
    private readonly overlay: RuntimeOverlay,
  ) {
    this.bundle = index.bundle;
    this.version = `${index.bundle.digest}@${state.epoch}`;
  }

  /** Compiles a validated bundle into its decision index, under `state` (default: no control changes). */
  static compile(bundle: Bundle, state: RuntimeState = INITIAL_STATE): PolicyEngine {
    const index = new CompiledBundle(bundle);
    return new PolicyEngine(index, state, new RuntimeOverlay(index, state));
  }

  /**
   * Decides a write. Throws a WriteError for a malformed write (missing or malformed producer
   * or sink, undeclared label, unknown source). `nowMs` (default: now) only dates exceptions.
   */
  decide(write: Write, nowMs?: number): Decision {
    return evaluate(this.index, this.overlay, write, nowMs);
  }

  /**
   * The posture to take when flowzone itself fails on this write: closed if any evaluated rule
   * of any zone its labels touch fails closed. Throws a WriteError like {@link decide}.
   */
  failPosture(write: Write): FailMode {
    const count = this.index.touch(write);
    for (let t = 0; t < count; t++) {
      if (this.overlay.zoneFailsClosed[this.index.touched[t] ?? 0] === true) return "closed";
    }
    return "open";
  }

  /**
   * The zones a write touches, in bundle order: those protecting one of its labels or one its
   * sources carry, whatever their mode (the flow inventory's zone of a flow, and its filter).
   * Throws a WriteError like {@link decide} for a write this bundle cannot read.
   */
  zonesOf(write: Write): string[] {
    const count = this.index.touch(write);
    const zones: string[] = [];
    for (let t = 0; t < count; t++) {
      const zone = this.index.zones[this.index.touched[t] ?? 0];
      if (zone !== undefined) zones.push(zone.zone.name);
    }
    return zones;
  }

  /** The same compiled bundle under another runtime state (zone flip, exception, new epoch). */
  withState(state: RuntimeState): PolicyEngine {
    return new PolicyEngine(this.index, state, new RuntimeOverlay(this.index, state));
  }

  /**
   * Takes the per-zone counts of decisions in which each zone was evaluated (its mode not off)
   * since the last take, and resets them. Counts belong to the compiled bundle, so every engine
   * made from it by {@link withState} shares them; zones with no decisions are left out.
   */
  takeZoneDecisions(): Map<string, number> {
    const counts = new Map<string, number>();
    const decisions = this.index.zoneDecisions;
    for (const zone of this.index.zones) {
      const count = decisions[zone.index] ?? 0;
      if (count > 0) counts.set(zone.zone.name, count);
    }
    decisions.fill(0);
    return counts;
  }

  /** The zone's mode after runtime override and master switch; undefined for an unknown zone. */
  effectiveZoneMode(zone: string): Mode | undefined {
    const position = this.index.zoneIndex.get(zone);
    return position === undefined ? undefined : this.overlay.zoneModes[position];
  }
}
