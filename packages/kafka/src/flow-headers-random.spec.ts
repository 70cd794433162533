/**
 * decodeFlowHeaders on random header maps: values as strings, buffers of random bytes (invalid
 * UTF-8 too), arrays of them and undefined, under the flowzone names and others. It never throws:
 * it reads a flow or refuses with a reason naming the flowzone header at fault. A flow written by
 * encodeFlowHeaders reads back as written (labels sorted and de-duplicated), strings or buffers.
 */
import fc from "fast-check";
import type { IHeaders } from "kafkajs";
import { decodeFlowHeaders, encodeFlowHeaders, FLOW_HEADERS } from "./flow-headers";
import type { RecordFlow } from "./flow-headers";

/** Runs per property; each decodes one header map. */
const RUNS = 500;

const NAMES = [FLOW_HEADERS.labels, FLOW_HEADERS.sources, FLOW_HEADERS.purpose, FLOW_HEADERS.decision];

/** A label or asset id as a list header holds it: no whitespace, no comma, not empty. */
const item = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 })).filter((text) => /^[^\s,]+$/.test(text));

/** Text that is often almost a list: items, commas, spaces, empty items. */
const listish = fc.array(fc.oneof(item, fc.constantFrom("", " ", "a b", "\t", "\u00a0")), { maxLength: 4 }).map((items) => items.join(","));

const text = fc.oneof(listish, fc.string({ unit: "binary", maxLength: 16 }));
const one = fc.oneof(text, text.map((value) => Buffer.from(value, "utf8")), fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes)));
const value = fc.oneof({ weight: 4, arbitrary: one }, { weight: 1, arbitrary: fc.array(one, { maxLength: 3 }) }, { weight: 1, arbitrary: fc.constant(undefined) });
const headers: fc.Arbitrary<IHeaders | undefined> = fc.option(
  fc.dictionary(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...NAMES) }, { weight: 1, arbitrary: fc.string() }), value, { maxKeys: 6 }),
  { nil: undefined, freq: 10 },
);

describe("flow headers on random input", () => {
  it("decode to a flow or a reason naming the flowzone header at fault, never a throw", () => {
    fc.assert(
      fc.property(headers, (given) => {
        const result = decodeFlowHeaders(given);
        if (result.ok) {
          for (const name of [...result.flow.labels, ...result.flow.sources]) expect(name).toMatch(/^[^\s,]+$/);
        } else {
          expect(NAMES.some((name) => result.reason.startsWith(`header ${name} `))).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("read back what encodeFlowHeaders wrote, as strings or as the buffers Kafka delivers", () => {
    const flow: fc.Arbitrary<RecordFlow> = fc.record({
      labels: fc.array(item, { maxLength: 5 }),
      sources: fc.array(item, { maxLength: 5 }),
      purpose: fc.oneof(fc.constant(""), item),
      decisionId: fc.string({ unit: "grapheme", maxLength: 12 }),
    });
    fc.assert(
      fc.property(flow, fc.boolean(), (written, asBuffers) => {
        const encoded = encodeFlowHeaders(written);
        const delivered: IHeaders = asBuffers ? Object.fromEntries(Object.entries(encoded).map(([name, v]) => [name, Buffer.from(String(v), "utf8")])) : encoded;
        expect(decodeFlowHeaders(delivered)).toEqual({ ok: true, flow: { ...written, labels: [...new Set(written.labels)].sort() } });
      }),
      { numRuns: RUNS },
    );
  });
});
