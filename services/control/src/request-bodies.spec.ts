import { FlowzoneError } from "@flowzone/errors";
import { parseExceptionBody, parseFixedBody, parseFlipBody, parsePolicyBody, parseRedriveBody, parseViolationQuery, parseWhatIfBody } from "./request-bodies";
import { parseRfc3339 } from "./rfc3339";

const NOW = new Date("2030-01-01T00:00:00Z");

function refusal(parse: () => unknown): { field: string | undefined; message: string } {
  try {
    parse();
  } catch (error) {
    if (error instanceof FlowzoneError && error.code === "invalid_argument") return { field: error.details.fieldViolations?.[0]?.field, message: error.message };
    throw error;
  }
  throw new Error("expected the input to be refused");
}

describe("parseFlipBody", () => {
  it("reads to, reason and force (default false)", () => {
    expect(parseFlipBody({ to: "enforcement", reason: "drained" })).toEqual({ to: "enforcement", reason: "drained", force: false });
    expect(parseFlipBody({ to: "off", reason: "incident", force: true })).toEqual({ to: "off", reason: "incident", force: true });
  });

  it.each([
    [{ reason: "x" }, "to"],
    [{ to: "enforcing", reason: "x" }, "to"],
    [{ to: 3, reason: "x" }, "to"],
    [{ to: "logging" }, "reason"],
    [{ to: "logging", reason: "  " }, "reason"],
    [{ to: "logging", reason: 7 }, "reason"],
    [{ to: "logging", reason: "x", force: "yes" }, "force"],
    [{ to: "logging", reason: "x", why: "typo" }, "why"],
  ])("refuses %j naming %s", (body, field) => {
    expect(refusal(() => parseFlipBody(body)).field).toBe(field);
  });

  it.each([[null], [[]], ["text"], [undefined]])("refuses a body that is not an object: %j", (body) => {
    expect(refusal(() => parseFlipBody(body)).message).toMatch(/^the request body must be a JSON object/);
  });
});

describe("parseWhatIfBody", () => {
  it("reads a bundle candidate or a flip, and since (default 7d) as a window", () => {
    expect(parseWhatIfBody({ files: { "a.yaml": "kind: Label" }, since: "24h" })).toEqual({ candidate: { files: { "a.yaml": "kind: Label" } }, windowMs: 86_400_000 });
    expect(parseWhatIfBody({ flip: { zone: "banana", to: "enforcement" } })).toEqual({ candidate: { flip: { zone: "banana", to: "enforcement" } }, windowMs: 7 * 86_400_000 });
  });

  it.each([
    [{}, "files", '"files" (a candidate bundle) or "flip" ({"zone", "to"}) is required'],
    [{ files: { "a.yaml": "" }, flip: { zone: "z", to: "off" } }, "flip", 'give "files" or "flip", not both: one candidate per request'],
    [{ files: {} }, "files", '"files" is empty; a bundle needs at least one YAML file'],
    [{ flip: "banana" }, "flip", '"flip" must be an object with "zone" and "to"'],
    [{ flip: { zone: "banana" } }, "flip", '"flip.to" must be one of enforcement, logging, off, not undefined'],
    [{ flip: { zone: "banana", to: "strict" } }, "flip", '"flip.to" must be one of enforcement, logging, off, not "strict"'],
    [{ flip: { to: "off" } }, "flip", '"flip.zone" is required: the name of the zone to flip'],
    [{ flip: { zone: "banana", to: "off", force: true } }, "flip", 'unknown field "flip.force"; expected "zone", "to"'],
    [{ flip: { zone: "banana", to: "off" }, since: "0" }, "since", '"since" must be a positive duration such as 7d, 24h or 90m, not "0"'],
    [{ flip: { zone: "banana", to: "off" }, since: "a week" }, "since", '"since" must be a positive duration such as 7d, 24h or 90m, not "a week"'],
    [{ flip: { zone: "banana", to: "off" }, since: 7 }, "since", '"since" must be a positive duration such as 7d, 24h or 90m, not 7'],
    [{ flip: { zone: "banana", to: "off" }, window: "7d" }, "window", 'unknown field "window"; expected "files", "flip", "since"'],
  ])("refuses %j naming %s", (body, field, message) => {
    expect(refusal(() => parseWhatIfBody(body))).toEqual({ field, message });
  });
});

describe("parseExceptionBody", () => {
  const valid = { producer: "svc:a", sink: "kafka:b", justification: "migration", expiresAt: "2030-02-01T00:00:00Z" };

  it("reads every field and parses expiresAt", () => {
    expect(parseExceptionBody(valid, NOW)).toEqual({ ...valid, expiresAt: new Date("2030-02-01T00:00:00Z") });
  });

  it.each([
    [{ ...valid, producer: undefined }, "producer", '"producer" is required: an asset-id pattern such as svc:banana-*'],
    [{ ...valid, justification: "" }, "justification", '"justification" is required: say why the flow is allowed; auditors read it'],
    [{ ...valid, expiresAt: undefined }, "expiresAt", '"expiresAt" is required: an RFC 3339 time such as 2030-01-31T12:00:00Z'],
    [{ ...valid, expiresAt: "next week" }, "expiresAt", '"expiresAt" must be an RFC 3339 time such as 2030-01-31T12:00:00Z, not "next week"'],
    [{ ...valid, expiresAt: "2029-12-31T23:59:59Z" }, "expiresAt", '"expiresAt" "2029-12-31T23:59:59Z" is in the past; an exception must expire in the future'],
  ])("refuses %j naming %s", (body, field, message) => {
    expect(refusal(() => parseExceptionBody(body, NOW))).toEqual({ field, message });
  });
});

describe("parseFixedBody", () => {
  it("takes an optional note", () => {
    expect(parseFixedBody(undefined)).toEqual({ note: "" });
    expect(parseFixedBody({})).toEqual({ note: "" });
    expect(parseFixedBody({ note: "patched" })).toEqual({ note: "patched" });
    expect(refusal(() => parseFixedBody({ note: 1 })).field).toBe("note");
  });
});

describe("parsePolicyBody", () => {
  it("returns the files as given", () => {
    expect(parsePolicyBody({ files: { "a.yaml": "kind: Label" } })).toEqual({ "a.yaml": "kind: Label" });
  });

  it("keeps a file named __proto__ (an assignment to a plain object dropped it)", () => {
    const files = parsePolicyBody(JSON.parse('{"files": {"a.yaml": "kind: Label", "__proto__": "kind: Zone"}}'));
    expect(Object.entries(files)).toEqual([["a.yaml", "kind: Label"], ["__proto__", "kind: Zone"]]);
  });

  it.each([[{}], [{ files: [] }], [{ files: {} }], [{ files: { "/etc/a.yaml": "" } }], [{ files: { "../a.yaml": "" } }], [{ files: { "a.yaml": 1 } }]])(
    "refuses %j naming files",
    (body) => {
      expect(refusal(() => parsePolicyBody(body)).field).toBe("files");
    },
  );
});

describe("parseViolationQuery", () => {
  it("defaults to every status and 100 rows", () => {
    expect(parseViolationQuery(undefined, undefined)).toEqual({ status: "all", limit: 100 });
    expect(parseViolationQuery("open", "5")).toEqual({ status: "open", limit: 5 });
  });

  it.each([
    ["closed", undefined, "status"],
    [undefined, "0", "limit"],
    [undefined, "1001", "limit"],
    [undefined, "ten", "limit"],
    [undefined, "-1", "limit"],
  ])("refuses status %j limit %j naming %s", (status, limit, field) => {
    expect(refusal(() => parseViolationQuery(status, limit)).field).toBe(field);
  });
});

describe("parseRfc3339", () => {
  it.each([
    ["2030-01-31T12:00:00Z", "2030-01-31T12:00:00.000Z"],
    ["2030-01-31T12:00:00.5+02:00", "2030-01-31T10:00:00.500Z"],
  ])("parses %s", (text, iso) => {
    expect(parseRfc3339(text)?.toISOString()).toBe(iso);
  });

  it.each(["2030-01-31", "2030-02-30T00:00:00Z", "2030-01-31T24:00:00Z", "Jan 31 2030", "2030-01-31T12:00:00"])("refuses %s", (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });
});

describe("parseRedriveBody", () => {
  const id = "0123456789abcdef0123456789abcdef";

  it("reads no selection, a violation id or a since time", () => {
    expect(parseRedriveBody(undefined)).toEqual({});
    expect(parseRedriveBody({})).toEqual({});
    expect(parseRedriveBody({ violation: id })).toEqual({ violation: id });
    expect(parseRedriveBody({ since: "2030-01-31T12:00:00+02:00" })).toEqual({ since: new Date("2030-01-31T10:00:00Z") });
  });

  it.each([
    [{ violation: id, since: "2030-01-31T12:00:00Z" }, "since", 'give "violation" or "since", not both'],
    [{ violation: "banana" }, "violation", '"violation" must be a violation id (32 hex digits, as flowzone violations lists them), not "banana"'],
    [{ violation: id.toUpperCase() }, "violation", `"violation" must be a violation id (32 hex digits, as flowzone violations lists them), not "${id.toUpperCase()}"`],
    [{ since: "7d" }, "since", '"since" must be an RFC 3339 time such as 2030-01-31T12:00:00Z, not "7d"'],
    [{ since: 17 }, "since", '"since" must be an RFC 3339 time such as 2030-01-31T12:00:00Z, not 17'],
    [{ zone: "health" }, "zone", 'unknown field "zone"; expected "violation", "since"'],
  ])("refuses %j naming %s", (body, field, message) => {
    expect(refusal(() => parseRedriveBody(body))).toEqual({ field, message });
  });
});
