import { createKafka } from "@flowzone/kafka";
import { createLogger } from "@flowzone/logging";
import type { PolicyHolder } from "@flowzone/policy-runtime";

import { startEnforcer } from "./enforcer";

/** A client of no broker: a bad option must be refused before the enforcer connects (else this fails with a connection error). */
const nowhere = createKafka({ brokers: ["127.0.0.1:1"], clientId: "enforcer-options-spec", logger: createLogger({ level: "silent" }) });

describe("startEnforcer's options", () => {
  it.each([-1, 2.5, 3_600_001])("refuses flowReportIntervalMs %p, naming it, before connecting to Kafka", async (flowReportIntervalMs) => {
    await expect(
      startEnforcer({
        kafka: nowhere,
        routes: [{ name: "r", from: "in", to: "out", quarantine: "out.quarantine", producer: "svc:p" }],
        policy: {} as PolicyHolder,
        logger: createLogger({ level: "silent" }),
        flowReportIntervalMs,
      }),
    ).rejects.toThrow(`the enforcer's flowReportIntervalMs must be a whole number of milliseconds from 0 (flow reporting off) to 3600000, got ${flowReportIntervalMs}`);
  });
});
