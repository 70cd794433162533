import type { RuntimeState, ZoneException } from "@flowzone/engine";

import type { ExceptionView } from "./control-plane";
import type { Queryable } from "./database";
import { currentEpoch } from "./epoch-store";
import { activeExceptions } from "./exception-store";
import { runtimeModes } from "./zone-store";

/**
 * The runtime state the decision points apply, read from the store: the last committed epoch,
 * the zone modes flipped at runtime and the exceptions active at `nowMs`. What-if compiles both
 * the policy in force and its candidate under it, so they differ only where the candidate does.
 */
export async function storedRuntimeState(db: Queryable, nowMs: number): Promise<RuntimeState> {
  return {
    epoch: await currentEpoch(db),
    zoneModes: await runtimeModes(db),
    exceptions: (await activeExceptions(db, nowMs)).map(toZoneException),
  };
}

/** An exception as the engine applies it. */
export function toZoneException(exception: ExceptionView): ZoneException {
  return { id: exception.id, zone: exception.zone, producer: exception.producer, sink: exception.sink, expiresAtMs: exception.expiresAt.getTime() };
}
