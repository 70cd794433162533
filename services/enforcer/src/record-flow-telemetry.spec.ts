import { fromBinary } from "@bufbuild/protobuf";
import { createLogger } from "@flowzone/logging";
import { AuditRecordSchema } from "@flowzone/proto";

import { routeRecord, type InputRecord } from "./record-flow";
import { FIXTURE_ROUTE, fixtureEngine } from "./testing/route-fixture";

const route = FIXTURE_ROUTE;
const SECRET = "card=4111111111111111";

function record(headers: InputRecord["headers"], value: string | null = SECRET): InputRecord {
  return { topic: "in", partition: 0, offset: "7", key: null, value: value === null ? null : Buffer.from(value), headers };
}

describe("routeRecord and the producer's trace context", () => {
  it("puts the trace id of a traceparent Kafka header into the audit records, and passes the header on", () => {
    const traceparent = Buffer.from("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    const routed = routeRecord(fixtureEngine(), route, record({ traceparent }), 1_000);
    expect(routed.audits).toHaveLength(1);
    const audit = fromBinary(AuditRecordSchema, routed.audits[0]?.value ?? Buffer.alloc(0));
    expect(audit.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(routed.headers["traceparent"]).toEqual(traceparent);
  });

  it("leaves the trace id empty without a (valid) traceparent", () => {
    for (const headers of [undefined, { traceparent: "garbage" }]) {
      const routed = routeRecord(fixtureEngine(), route, record(headers), 1_000);
      expect(fromBinary(AuditRecordSchema, routed.audits[0]?.value ?? Buffer.alloc(0)).traceId).toBe("");
    }
  });
});

describe("the enforcer's logger never shows a record value", () => {
  it("redacts a record or message logged by mistake, and the malformed-record line carries no payload", () => {
    const lines: string[] = [];
    const root = createLogger({ level: "debug", destination: { write: (line: string) => void lines.push(line) } });
    // The enforcer's chain of children: component, then route (route-worker.ts).
    const log = root.child({ component: "enforcer" }).child({ route: route.name });
    const malformed = record({ "flowzone-labels": "[not json" });
    const routed = routeRecord(fixtureEngine(), route, malformed, 1_000);
    expect(routed.error).toBeDefined();
    log.warn({ partition: 0, offset: malformed.offset, reason: routed.error }, "observed a record that cannot be decided");
    log.warn({ message: { key: null, value: SECRET, headers: {} }, record: malformed }, "a careless line");
    log.warn({ value: SECRET }, "another careless line");
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toContain(SECRET.slice(5));
    expect(lines.join("\n")).toContain("[redacted]");
  });
});
