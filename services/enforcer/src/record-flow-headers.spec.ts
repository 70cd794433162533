/**
 * routeRecord on records with random headers: the flowzone ones as strings, buffers (invalid
 * UTF-8 too), arrays and undefined, naming declared and undeclared labels and assets, beside
 * forged enforcer headers and others. It never throws: a record whose flowzone headers do not
 * parse goes to quarantine with `unparseable flowzone headers: <reason>`, one naming an
 * undeclared label or source with the engine's sentence, and a forwarded record carries the
 * enforcer's own decision id and none of the forged headers.
 */
import { decodeFlowHeaders } from "@flowzone/kafka";
import fc from "fast-check";
import type { IHeaders } from "kafkajs";
import { routeRecord } from "./record-flow";
import { FIXTURE_ROUTE, fixtureEngine } from "./testing/route-fixture";

/** Runs per property; each decides one record. */
const RUNS = 300;

const engine = fixtureEngine();
const route = FIXTURE_ROUTE;

/** Names the bundle declares or not, and broken list items. */
const item = fc.oneof(fc.constantFrom("banana", "health", "kafka:in", "table:patients", "research", "nope", "kafka:nope", "", " ", "a b"), fc.string({ maxLength: 8 }));
const list = fc.array(item, { maxLength: 3 }).map((items) => items.join(","));
const one = fc.oneof(list, list.map((text) => Buffer.from(text, "utf8")), fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)), fc.string({ unit: "binary", maxLength: 8 }));
const value = fc.oneof({ weight: 4, arbitrary: one }, { weight: 1, arbitrary: fc.array(one, { maxLength: 3 }) }, { weight: 1, arbitrary: fc.constant(undefined) });
const NAMES = ["flowzone-labels", "flowzone-sources", "flowzone-purpose", "flowzone-decision", "flowzone-violations", "flowzone-error", "flowzone-origin", "traceparent", "other"];
const headers: fc.Arbitrary<IHeaders | undefined> = fc.option(fc.dictionary(fc.constantFrom(...NAMES), value, { maxKeys: 6 }), { nil: undefined, freq: 10 });

describe("routeRecord on random headers", () => {
  it("forwards, quarantines a denial, or quarantines with the reason the headers cannot be read; never throws", () => {
    fc.assert(
      fc.property(headers, (given) => {
        const routed = routeRecord(engine, route, { topic: "in", partition: 2, offset: "41", key: null, value: Buffer.from("v"), headers: given }, 1000);
        const flow = decodeFlowHeaders(given);
        if (!flow.ok) {
          expect(routed).toMatchObject({ topic: "out.quarantine", denied: true, error: `unparseable flowzone headers: ${flow.reason}` });
        } else if (routed.error !== undefined) {
          expect(routed.topic).toBe("out.quarantine");
          expect(routed.error).toMatch(/^(labels|sources)\[\d+\] ".*" is not a (declared label|declared asset|well-formed asset id);/);
        } else {
          expect(["out", "out.quarantine"]).toContain(routed.topic);
          expect(routed.headers["flowzone-decision"]).toBe("r:2:41");
          expect(routed.headers["flowzone-error"]).toBeUndefined();
          if (routed.topic === "out") expect(routed.headers["flowzone-violations"]).toBeUndefined();
        }
      }),
      { numRuns: RUNS },
    );
  });
});
