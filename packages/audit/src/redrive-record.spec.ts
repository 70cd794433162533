import { fromBinary } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { AuditRecordSchema } from "@flowzone/proto";

import { encodeRedriveAudit } from "./redrive-record";

describe("encodeRedriveAudit", () => {
  it("records the route, both positions, the target, the flow and who asked, with an id fixed by the quarantined position", () => {
    const encoded = encodeRedriveAudit({
      zone: "health",
      route: "orders",
      quarantined: { topic: "orders-out.quarantine", partition: 1, offset: "42" },
      origin: { topic: "orders", partition: 1, offset: "9000000000" },
      target: "orders-out",
      producer: "svc:enricher",
      sink: "kafka:orders-out",
      labels: ["banana", "health"],
      actor: "alice@privacy",
      policyVersion: "sha256:abc@7",
      timeMs: 1_763_771_234_567,
    });
    expect(encoded.key).toBe("health");
    const record = fromBinary(AuditRecordSchema, encoded.value);
    expect({ id: record.id, zone: record.zone, policyVersion: record.policyVersion, timeMs: record.time === undefined ? 0 : timestampMs(record.time) }).toEqual({
      id: "redrive/orders-out.quarantine/1/42",
      zone: "health",
      policyVersion: "sha256:abc@7",
      timeMs: 1_763_771_234_567,
    });
    if (record.event.case !== "redriven") throw new Error(`expected redriven, got ${String(record.event.case)}`);
    expect(record.event.value).toMatchObject({
      route: "orders",
      quarantined: { topic: "orders-out.quarantine", partition: 1, offset: 42n },
      origin: { topic: "orders", partition: 1, offset: 9_000_000_000n },
      target: "orders-out",
      producer: "svc:enricher",
      sink: "kafka:orders-out",
      labels: ["banana", "health"],
      actor: "alice@privacy",
    });
  });
});
