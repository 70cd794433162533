import type { Kafka } from "kafkajs";

import type { FailMode, Write } from "@flowzone/engine";
import type { Logger } from "@flowzone/logging";

import type * as ControlPostureModule from "./control-posture";

/** The fail posture of writes flowzone could not check, as far as the zones' own settings tell. */
export interface PostureAnswer {
  /**
   * `closed` when a write touches a zone (or rule) that fails closed, `open` when every write is
   * placed and none does, undefined when the zones' posture is not known for some write (the
   * producer's `failMode` option then applies).
   */
  readonly posture: FailMode | undefined;
  /** Why, in a few words, for the error or warning that follows: where the posture came from. */
  readonly reason: string;
}

/**
 * Each zone's fail posture as the remote producer learns it from the control topic, consulted
 * only for writes the decision service did not answer for.
 */
export interface ZonePosture {
  postureOf(writes: readonly Write[]): PostureAnswer;
  close(): Promise<void>;
}

/**
 * Follows the control topic for the zones' fail posture and resolves once it has been replayed.
 * The follower and the engine it compiles the pushed bundle with are loaded here, on `connect()`
 * of a remote producer that follows the control topic, never by `require("@flowzone/sdk")`:
 * the entry point stays free of the engine (a producer with `followControlTopic: false` never
 * loads it).
 */
export function followZonePosture(kafka: Kafka, topic: string, logger: Logger): Promise<ZonePosture> {
  // A deferred require rather than an import(): the SDK is CommonJS, and jest loads it from source.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startControlPosture } = require("./control-posture") as typeof ControlPostureModule;
  return startControlPosture(kafka, topic, logger);
}
