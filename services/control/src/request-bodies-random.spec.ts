/**
 * The HTTP body parsers on random input: any bytes, any JSON value, and objects mixing the
 * endpoints' own fields (with good and bad values) with stray keys, `__proto__` and friends
 * included. parseJsonBody then parseFlipBody, parseExceptionBody, parseFixedBody,
 * parsePolicyBody or parseWhatIfBody either return or throw a FlowzoneError: `malformed_json`, or
 * `invalid_argument` naming a field of the endpoint or the stray key (a body that is no JSON
 * object at all is refused as a whole). Well-formed bodies come back as they were sent.
 */
import { FlowzoneError } from "@flowzone/errors";
import fc from "fast-check";
import { parseJsonBody } from "./http-body";
import { parseExceptionBody, parseFixedBody, parseFlipBody, parsePolicyBody, parseWhatIfBody } from "./request-bodies";

/** Runs per property; each parses one body of up to a few hundred bytes. */
const RUNS = 300;

const NOW = new Date("2030-01-01T00:00:00Z");

interface Endpoint {
  readonly name: string;
  readonly fields: readonly string[];
  /** Values that may be right for a field, so parsing gets past the first check. */
  readonly good: fc.Arbitrary<unknown>;
  readonly parse: (body: unknown) => unknown;
}

const ENDPOINTS: readonly Endpoint[] = [
  {
    name: "flip",
    fields: ["to", "reason", "force"],
    good: fc.constantFrom("enforcement", "logging", "off", "drained", true, false, " "),
    parse: parseFlipBody,
  },
  {
    name: "exception",
    fields: ["producer", "sink", "justification", "expiresAt"],
    good: fc.constantFrom("svc:banana-*", "kafka:export-*", "why", "2031-02-28T12:00:00Z", "2031-02-29T12:00:00Z", "2001-01-01T00:00:00Z", "2031-01-01T00:00:00.5+02:00", ""),
    parse: (body) => parseExceptionBody(body, NOW),
  },
  {
    name: "fixed",
    fields: ["note"],
    good: fc.constantFrom("fixed in v2", ""),
    parse: parseFixedBody,
  },
  {
    name: "policy",
    fields: ["files"],
    good: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("a.yaml", "../x.yaml", "/abs.yaml", "a\\b.yaml", "")), fc.oneof(fc.string(), fc.jsonValue())),
    parse: parsePolicyBody,
  },
  {
    name: "whatif",
    fields: ["files", "flip", "since"],
    good: fc.constantFrom("7d", "90m", "0", "-1h", "soon", { zone: "banana", to: "enforcement" }, { zone: "", to: "strict" }, { zone: "banana", to: "off", why: 1 }, { "a.yaml": "kind: Label" }, {}),
    parse: parseWhatIfBody,
  },
];

/** A body for `endpoint` as bytes: random bytes, any JSON value, or an object of its fields and stray keys. */
function bodyFor(endpoint: Endpoint): fc.Arbitrary<Buffer> {
  const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...endpoint.fields) }, { weight: 1, arbitrary: fc.string() });
  const value = fc.oneof({ weight: 3, arbitrary: endpoint.good }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
  const object = fc.dictionary(key, value, { maxKeys: 5 }).map((body) => JSON.stringify(body));
  return fc
    .oneof(
      { weight: 4, arbitrary: object },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((json) => JSON.stringify(json)) },
      { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
    )
    .map((text) => Buffer.from(text, "utf8"))
    .chain((bytes) => fc.oneof({ weight: 5, arbitrary: fc.constant(bytes) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((random) => Buffer.from(random)) }));
}

/** The keys of a body that parsed as a JSON object, for checking the field an error names. */
function keysOf(bytes: Buffer): string[] {
  try {
    const body: unknown = JSON.parse(bytes.toString("utf8"));
    return body !== null && typeof body === "object" ? Object.keys(body) : [];
  } catch {
    return [];
  }
}

describe.each(ENDPOINTS)("the $name body on random input", (endpoint) => {
  it("returns or throws a FlowzoneError malformed_json or invalid_argument naming one of its fields or a stray key", () => {
    fc.assert(
      fc.property(bodyFor(endpoint), (bytes) => {
        try {
          endpoint.parse(parseJsonBody(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(FlowzoneError);
          const refusal = error as FlowzoneError;
          expect(["malformed_json", "invalid_argument"]).toContain(refusal.code);
          if (refusal.code === "malformed_json") return;
          const field = refusal.details.fieldViolations?.[0]?.field;
          if (field === undefined) {
            expect(refusal.message).toMatch(/^the request body must be a JSON object with /);
          } else {
            expect([...endpoint.fields, ...keysOf(bytes)]).toContain(field);
            expect(refusal.message).not.toBe("");
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});

/** Non-blank text, as the required string fields take it. */
const word = fc.string({ minLength: 1 }).filter((text) => text.trim() !== "");

describe("well-formed bodies on random values", () => {
  const roundTrip = (body: unknown): unknown => parseJsonBody(Buffer.from(JSON.stringify(body), "utf8"));

  it("a flip body comes back as sent", () => {
    fc.assert(
      fc.property(fc.constantFrom("enforcement", "logging", "off"), word, fc.option(fc.boolean(), { nil: undefined }), (to, reason, force) => {
        expect(parseFlipBody(roundTrip({ to, reason, force }))).toEqual({ to, reason, force: force ?? false });
      }),
      { numRuns: RUNS },
    );
  });

  it("an exception body comes back as sent, its expiry as the same instant", () => {
    const future = fc.date({ min: new Date(NOW.getTime() + 1000), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true });
    fc.assert(
      fc.property(word, word, word, future, (producer, sink, justification, expiresAt) => {
        const parsed = parseExceptionBody(roundTrip({ producer, sink, justification, expiresAt: expiresAt.toISOString() }), NOW);
        expect(parsed).toEqual({ producer, sink, justification, expiresAt });
      }),
      { numRuns: RUNS },
    );
  });

  it("a what-if body comes back as sent, its window in milliseconds", () => {
    fc.assert(
      fc.property(word, fc.constantFrom("enforcement", "logging", "off"), fc.integer({ min: 1, max: 10_000 }), (zone, to, minutes) => {
        expect(parseWhatIfBody(roundTrip({ flip: { zone, to }, since: `${minutes}m` }))).toEqual({ candidate: { flip: { zone, to } }, windowMs: minutes * 60_000 });
      }),
      { numRuns: RUNS },
    );
  });

  it("a policy body comes back with every file as sent", () => {
    const segment = fc.string({ minLength: 1, maxLength: 12 }).filter((text) => !text.includes("/") && !text.includes("\\") && text !== "..");
    // Object.prototype's names too, whole paths as well as segments: a path is a key of `files`.
    const special = fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty");
    const path = fc.array(fc.oneof(segment, special), { minLength: 1, maxLength: 3 }).map((segments) => segments.join("/"));
    fc.assert(
      fc.property(fc.dictionary(path, fc.string(), { minKeys: 1, maxKeys: 5 }), (files) => {
        expect(Object.entries(parsePolicyBody(roundTrip({ files })))).toEqual(Object.entries(files));
      }),
      { numRuns: RUNS },
    );
  });
});
