import type { RuntimeState } from "./types";

/** The state before any control change: epoch 0, every zone in its bundle mode, no exceptions. */
export const INITIAL_STATE: RuntimeState = Object.freeze({
  epoch: 0,
  zoneModes: new Map(),
  exceptions: Object.freeze([]),
});
