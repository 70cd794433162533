import { fromBinary } from "@bufbuild/protobuf";
import { AuditRecordSchema } from "@flowzone/proto";
import type { IHeaders, KafkaMessage } from "kafkajs";

import { NOT_WRITTEN_AS_DECIDED } from "./chunk-plan";
import { routeRecord, type InputRecord } from "./record-flow";
import { redriveOutcome, type RedriveContext } from "./redrive-decision";
import { FIXTURE_ROUTE, fixtureEngine } from "./testing/route-fixture";

const route = { ...FIXTURE_ROUTE, to: "out", quarantine: "out.quarantine" };
const enforced = fixtureEngine();
/** The same bundle with health flipped to logging: what was denied is allowed now. */
const flipped = enforced.withState({ epoch: 1, zoneModes: new Map([["health", "logging"]]), exceptions: [] });

const input = (headers: IHeaders, value: string | null = "payload"): InputRecord => ({
  topic: "in",
  partition: 2,
  offset: "41",
  key: Buffer.from("k"),
  value: value === null ? null : Buffer.from(value),
  headers: { "x-trace": "t-1", ...headers },
});

/** The record the enforcer put on quarantine for `record` under the enforcing policy, at quarantine offset 7. */
function quarantined(record: InputRecord): KafkaMessage {
  const routed = routeRecord(enforced, route, record, 1000);
  if (routed.topic !== route.quarantine) throw new Error("expected the fixture record to be quarantined");
  return { key: routed.key, value: routed.value, headers: routed.headers, offset: "7", timestamp: "0", attributes: 0 };
}

function context(overrides: Partial<RedriveContext> = {}): RedriveContext {
  return { engine: flipped, route, ledger: new Set(), filter: undefined, actor: "alice@privacy", nowMs: 2000, ...overrides };
}

const text = (headers: IHeaders, name: string): string | undefined => headers[name]?.toString();

describe("redriveOutcome", () => {
  it("forwards a record now allowed exactly as the enforcer would forward its input now: key, value, headers and decision id", () => {
    const original = input({ "flowzone-sources": "table:patients", "flowzone-purpose": "billing" });
    const outcome = redriveOutcome(context(), 0, quarantined(original));
    if (outcome.kind !== "redriven") throw new Error(`expected redriven, got ${outcome.kind}`);
    const direct = routeRecord(flipped, route, original, 2000);
    expect(direct.topic).toBe("out");
    expect(outcome.forward).toEqual({ key: direct.key, value: direct.value, headers: direct.headers });
    expect(text(outcome.forward.headers, "flowzone-decision")).toBe("r:2:41");
    expect(text(outcome.forward.headers, "flowzone-violations")).toBeUndefined();
    expect(text(outcome.forward.headers, "flowzone-origin")).toBeUndefined();
    expect(text(outcome.forward.headers, "x-trace")).toBe("t-1");
    expect(outcome.ledgerKey).toBe("out.quarantine/0/7");
    const audit = fromBinary(AuditRecordSchema, outcome.audit.value);
    expect(audit.id).toBe("redrive/out.quarantine/0/7");
    // Keyed by the zone that had denied it (health, enforced), not the first violation (banana, logging).
    expect({ key: outcome.audit.key, zone: audit.zone }).toEqual({ key: "health", zone: "health" });
    expect(audit.policyVersion).toBe(flipped.version);
    if (audit.event.case !== "redriven") throw new Error("expected a redriven event");
    expect(audit.event.value).toMatchObject({ route: "r", target: "out", actor: "alice@privacy", producer: "svc:enricher", sink: "kafka:out", labels: ["banana", "health"] });
    expect(audit.event.value.origin).toMatchObject({ topic: "in", partition: 2, offset: 41n });
  });

  it("leaves a record the policy in force still denies", () => {
    expect(redriveOutcome(context({ engine: enforced }), 0, quarantined(input({ "flowzone-labels": "health" })))).toEqual({ kind: "stillDenied" });
  });

  it("counts a record in the ledger as already re-driven, before deciding it", () => {
    expect(redriveOutcome(context({ ledger: new Set(["out.quarantine/0/7"]) }), 0, quarantined(input({ "flowzone-labels": "health" })))).toEqual({ kind: "alreadyRedriven" });
  });

  it("selects by the violations the record was quarantined for, with the route's producer and sink", () => {
    const seen: unknown[] = [];
    const outcome = redriveOutcome(context({ filter: (violations) => (seen.push(...violations), false) }), 0, quarantined(input({ "flowzone-labels": "health" })));
    expect(outcome).toEqual({ kind: "skipped" });
    expect(seen).toContainEqual({ zone: "health", rule: "boundary", producer: "svc:enricher", sink: "kafka:out", labels: ["health"] });
  });

  it("leaves records it cannot decide: still undecidable, once too large, or without an origin", () => {
    const undecidable = routeRecord(enforced, route, input({ "flowzone-labels": "nope" }), 1000);
    const message = (headers: IHeaders): KafkaMessage => ({ key: null, value: Buffer.from("v"), headers, offset: "3", timestamp: "0", attributes: 0 });
    expect(redriveOutcome(context(), 0, message(undecidable.headers))).toMatchObject({ kind: "unreadable", reason: expect.stringContaining("nope") as unknown });
    const tooLarge = { ...quarantined(input({ "flowzone-labels": "health" })).headers, "flowzone-error": `${NOT_WRITTEN_AS_DECIDED}: too large for out`, "flowzone-origin": "in/0/1" };
    expect(redriveOutcome(context(), 0, message(tooLarge))).toMatchObject({ kind: "unreadable" });
    expect(redriveOutcome(context(), 0, message({}))).toEqual({ kind: "unreadable", reason: "no readable flowzone-origin header" });
    expect(redriveOutcome(context(), 0, message({ "flowzone-origin": "elsewhere/0/1" }))).toMatchObject({ kind: "unreadable", reason: expect.stringContaining("not the route's source in") as unknown });
  });
});
