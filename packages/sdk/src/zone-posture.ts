import type { Kafka } from "kafkajs";

import type { ControlVerifyKeys } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";

import type * as ControlPostureModule from "./control-posture";
import type { ZonePosture } from "./posture-answer";

/**
 * Follows the control topic for the zones' fail posture and resolves once it has been replayed.
 * The follower and the engine it compiles the pushed bundle with are loaded here, on `connect()`
 * of a remote producer that follows the control topic, never by `require("@flowzone/sdk")`:
 * the entry point stays free of the engine (a producer with `followControlTopic: false` never
 * loads it).
 */
export function followZonePosture(kafka: Kafka, topic: string, verifyKeys: ControlVerifyKeys | undefined, logger: Logger): Promise<ZonePosture> {
  // A deferred require rather than an import(): the SDK is CommonJS, and jest loads it from source.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startControlPosture } = require("./control-posture") as typeof ControlPostureModule;
  return startControlPosture(kafka, topic, verifyKeys, logger);
}
