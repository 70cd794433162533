import type { Mode, SourceFile, ZoneException } from "@flowzone/engine";

/** A bundle as the control plane pushed it. */
export interface PushedBundle {
  /** `sha256:<hex>` as the control plane computed it. */
  readonly version: string;
  readonly files: readonly SourceFile[];
}

/**
 * Everything the control topic says, folded: the last pushed bundle (if any), the runtime mode
 * of each flipped zone, the active exceptions, and the highest epoch seen.
 */
export interface ControlSnapshot {
  readonly epoch: number;
  readonly bundle: PushedBundle | undefined;
  readonly zoneModes: ReadonlyMap<string, Mode>;
  /** Keyed by exception id. */
  readonly exceptions: ReadonlyMap<string, ZoneException>;
}

export const EMPTY_SNAPSHOT: ControlSnapshot = Object.freeze({
  epoch: 0,
  bundle: undefined,
  zoneModes: new Map(),
  exceptions: new Map(),
});
