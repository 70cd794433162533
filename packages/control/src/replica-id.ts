import { hostname } from "node:os";

/** A replica's default name: its host and process id, unique among replicas sharing a store. */
export function defaultReplicaId(): string {
  return `${hostname()}-${process.pid}`;
}
