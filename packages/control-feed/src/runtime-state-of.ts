import type { RuntimeState } from "@flowzone/engine";

import type { ControlSnapshot } from "./control-snapshot";

/** The engine's runtime overlay for a snapshot: its epoch, zone modes and exceptions. */
export function runtimeStateOf(snapshot: ControlSnapshot): RuntimeState {
  return { epoch: snapshot.epoch, zoneModes: snapshot.zoneModes, exceptions: [...snapshot.exceptions.values()] };
}
