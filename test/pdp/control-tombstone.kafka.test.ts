/**
 * A running decision service applies a tombstone on `zone/<name>` (what the control plane writes
 * when it republishes and finds a zone mode its store does not know): the zone has no runtime
 * mode any more and decides in its bundle mode again, without a restart. Before, a running
 * follower skipped such tombstones and kept the old mode until it restarted.
 */
import { create, toBinary } from "@bufbuild/protobuf";
import { ControlRecordSchema, Decision, Mode } from "@flowzone/proto";

import { testBrokers, testKafka, uniqueTopic } from "../support/kafka";
import { waitUntil } from "../support/poll";
import { step } from "../support/steps";
import { produce } from "../support/topics";
import { startPdp, type Pdp } from "./pdp-harness";

const kafka = testKafka("pdp-tombstone-test");

describe("decision service following zone tombstones", () => {
  let pdp: Pdp;
  const controlTopic = uniqueTopic("pdp-tombstone-control");

  beforeAll(async () => {
    pdp = await startPdp({ kafka: { brokers: testBrokers(), auditTopic: uniqueTopic("pdp-tombstone-audit"), controlTopic } });
  }, 60_000);
  afterAll(async () => {
    await pdp.stop();
  });

  it("returns a flipped zone to its bundle mode once the zone's key is tombstoned", async () => {
    // The email zone is in logging in the bundle: this write is allowed, its violation logged.
    const write = { producer: "svc:crm", sink: "svc:ads-ranker", sources: ["table:crm.contacts"] };
    /** Checks until the decision is `wanted`; a failing check fails at once, not after the wait. */
    const decidedAs = async (what: string, wanted: Decision) => {
      const response = await waitUntil(
        what,
        () => pdp.client.check(write).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
        (r) => r instanceof Error || r.decision === wanted,
        { timeoutMs: 15_000, intervalMs: 50 },
      );
      if (response instanceof Error) throw response;
      return response;
    };

    await step("the bundle's mode: allowed, the violation in logging", async () => {
      const response = await pdp.client.check(write);
      expect(response.decision).toBe(Decision.ALLOW);
      expect(response.violations[0]).toMatchObject({ zone: "email", mode: Mode.LOGGING, enforced: false });
    });

    await step("a runtime flip to enforcement on the control topic: denied", async () => {
      const flip = create(ControlRecordSchema, { epoch: 3n, item: { case: "zoneMode", value: { zone: "email", mode: Mode.ENFORCEMENT } } });
      await produce(kafka, controlTopic, [{ key: "zone/email", value: Buffer.from(toBinary(ControlRecordSchema, flip)) }]);
      const response = await decidedAs("a decision under the flip", Decision.DENY);
      expect(response.violations[0]).toMatchObject({ zone: "email", mode: Mode.ENFORCEMENT, enforced: true });
    });

    await step("the zone's key tombstoned: allowed again under the bundle's mode, epoch kept", async () => {
      await produce(kafka, controlTopic, [{ key: "zone/email", value: null }]);
      const response = await decidedAs("a decision in the bundle's mode after the tombstone", Decision.ALLOW);
      expect(response.violations[0]).toMatchObject({ zone: "email", mode: Mode.LOGGING, enforced: false });
      expect(response.policyVersion).toMatch(/@3$/);
    });
  }, 60_000);
});
