import { fromBinary } from "@bufbuild/protobuf";
import type { PolicyEngine } from "@flowzone/engine";
import { AuditRecordSchema } from "@flowzone/proto";
import type { IHeaders } from "kafkajs";

import { routeRecord, type InputRecord } from "./record-flow";
import type { Route } from "./route";
import { FIXTURE_ROUTE, fixtureEngine } from "./testing/route-fixture";

const route = FIXTURE_ROUTE;

function record(headers: IHeaders | undefined, value: string | null = "payload"): InputRecord {
  return { topic: "in", partition: 2, offset: "41", key: Buffer.from("k"), value: value === null ? null : Buffer.from(value), headers };
}

const text = (headers: IHeaders, name: string): string | undefined => headers[name]?.toString();

describe("routeRecord", () => {
  it("forwards a logging-mode violation with the full label set propagated and audits it with its position", () => {
    const routed = routeRecord(fixtureEngine(), route, record({ "trace-me": "1", "flowzone-sources": "table:patients" }), 1000);
    // health is enforced, so a health-carrying record is denied; this one is checked separately below.
    expect(routed.topic).toBe("out.quarantine");
    const banana = routeRecord(fixtureEngine(), route, record({ "trace-me": "1" }), 1000);
    expect(banana).toMatchObject({ topic: "out", denied: false, key: Buffer.from("k"), value: Buffer.from("payload") });
    expect(text(banana.headers, "flowzone-labels")).toBe("banana");
    expect(text(banana.headers, "flowzone-sources")).toBe("kafka:in");
    expect(text(banana.headers, "flowzone-decision")).toBe("r:2:41");
    expect(text(banana.headers, "trace-me")).toBe("1");
    expect(banana.audits).toHaveLength(1);
    const audit = fromBinary(AuditRecordSchema, banana.audits[0]?.value ?? Buffer.alloc(0));
    expect(audit.id).toBe("r:2:41/0");
    expect(audit.zone).toBe("banana");
    expect(audit.event.case).toBe("violation");
    if (audit.event.case === "violation") {
      expect(audit.event.value).toMatchObject({ enforced: false, sink: "kafka:out", producer: "svc:enricher", position: { topic: "in", partition: 2, offset: 41n } });
    }
  });

  it("quarantines an enforced violation with flowzone-violations and an audit record per violation", () => {
    const routed = routeRecord(fixtureEngine(), route, record({ "flowzone-labels": "health" }), 1000);
    expect(routed).toMatchObject({ topic: "out.quarantine", denied: true });
    expect(text(routed.headers, "flowzone-labels")).toBe("banana,health");
    const violations = JSON.parse(text(routed.headers, "flowzone-violations") ?? "[]") as { zone: string; enforced: boolean }[];
    expect(violations.map((v) => [v.zone, v.enforced]).sort()).toEqual([["banana", false], ["health", true]]);
    expect(routed.audits.map((a) => a.key).sort()).toEqual(["banana", "health"]);
    expect(text(routed.headers, "flowzone-origin")).toBe("in/2/41");
  });

  it("allows a record going into its zone without violations", () => {
    const inZone: Route = { ...route, to: "banana-out", quarantine: "banana-out.quarantine" };
    const routed = routeRecord(fixtureEngine(), inZone, record(undefined), 1000);
    expect(routed).toMatchObject({ topic: "banana-out", audits: [], denied: false });
  });

  it.each([
    ["bad headers", record({ "flowzone-labels": "banana,,x" }), "unparseable flowzone headers"],
    ["an unknown label", record({ "flowzone-labels": "kiwi" }), "kiwi"],
    ["an unknown source", record({ "flowzone-sources": "table:nowhere" }), "table:nowhere"],
    ["an empty value", record(undefined, ""), "empty value"],
    ["a tombstone", record(undefined, null), "empty value"],
  ])("quarantines a record with %s, saying why in flowzone-error", (_what, input, reason) => {
    const routed = routeRecord(fixtureEngine(), route, input, 1000);
    expect(routed.topic).toBe("out.quarantine");
    expect(routed.audits).toEqual([]);
    expect(text(routed.headers, "flowzone-error")).toContain(reason);
  });

  it("carries the labels of the policy that decided: a reload that labels the from topic anew changes them", () => {
    const before = fixtureEngine();
    const after = fixtureEngine(["banana", "health"]);
    const labelsUnder = (engine: PolicyEngine): string | undefined => text(routeRecord(engine, route, record({ "flowzone-labels": "banana" }), 1000).headers, "flowzone-labels");
    expect(labelsUnder(before)).toBe("banana");
    expect(labelsUnder(after)).toBe("banana,health");
    expect(labelsUnder(before)).toBe("banana");
  });

  it("strips forged enforcer headers from forwarded records", () => {
    const routed = routeRecord(fixtureEngine(), route, record({ "flowzone-violations": "[]", "flowzone-decision": "forged" }), 1000);
    expect(routed.headers["flowzone-violations"]).toBeUndefined();
    expect(text(routed.headers, "flowzone-decision")).toBe("r:2:41");
  });

  it("checks an observe-only route's writes against its producer and writes nothing", () => {
    const observer: Route = { ...route, to: undefined, quarantine: undefined };
    const routed = routeRecord(fixtureEngine(), observer, record(undefined), 1000);
    expect(routed.topic).toBeUndefined();
    expect(routed.audits).toHaveLength(1);
  });
});
