import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Metadata } from "@grpc/grpc-js";
import { PolicyEngine, formatBundleError, parseBundle } from "@flowzone/engine";
import { createLogger } from "@flowzone/logging";
import { CheckBatchRequestSchema, CheckBatchResponseSchema, Decision, Mode } from "@flowzone/proto";
import { localCheckBatch } from "./batch-path";
import { DEFAULTS } from "./defaults";

const BUNDLE = `
kind: Label
name: health
---
kind: Label
name: banana
---
kind: Zone
name: health
protects: [health]
members: [table:clinic-*]
mode: enforcement
---
kind: Zone
name: banana
protects: [banana]
members: [kafka:banana-*]
mode: logging
`;

function engine(): PolicyEngine {
  const parsed = parseBundle([{ path: "bundle.yaml", content: BUNDLE }]);
  if (!parsed.ok) throw new Error(parsed.errors.map(formatBundleError).join("\n"));
  return PolicyEngine.compile(parsed.bundle);
}

const batch = (...requests: { requestId: string; sink: string; labels: string[] }[]): Uint8Array =>
  toBinary(CheckBatchRequestSchema, create(CheckBatchRequestSchema, { requests: requests.map((r) => ({ producer: "svc:p", ...r })) }));

/** The gRPC status code and details of what `call` throws, as "code details". */
function statusOf(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    const status = error as { code?: number; details?: string };
    return `${status.code} ${status.details}`;
  }
  throw new Error("did not throw");
}

describe("localCheckBatch", () => {
  const check = localCheckBatch(engine(), createLogger({ level: "silent" }));

  it("answers a batch's bytes with the CheckBatchResponse's, each request decided by the engine", () => {
    const answer = fromBinary(
      CheckBatchResponseSchema,
      check(batch({ requestId: "a", sink: "table:clinic-1", labels: ["health"] }, { requestId: "b", sink: "kafka:out", labels: ["health"] }, { requestId: "c", sink: "kafka:out", labels: ["banana"] }), new Metadata()),
    );
    expect(answer.responses.map((r) => [r.requestId, r.decision, r.violations.map((v) => [v.zone, v.mode, v.enforced])])).toEqual([
      ["a", Decision.ALLOW, []],
      ["b", Decision.DENY, [["health", Mode.ENFORCEMENT, true]]],
      ["c", Decision.ALLOW, [["banana", Mode.LOGGING, false]]],
    ]);
    expect(new Set(answer.responses.map((r) => r.decisionId)).size).toBe(3);
  });

  it("throws the status a call would get for a bad request, naming it, and answers the next batch", () => {
    expect(statusOf(() => check(batch({ requestId: "a", sink: "kafka:out", labels: [] }, { requestId: "b", sink: "not an asset id", labels: ["health"] }), new Metadata()))).toMatch(/^3 .*requests\[1\]/);
    const tooMany = Array.from({ length: DEFAULTS.limits.maxBatch + 1 }, (_, i) => ({ requestId: `${i}`, sink: "kafka:out", labels: [] }));
    expect(statusOf(() => check(batch(...tooMany), new Metadata()))).toContain(`${DEFAULTS.limits.maxBatch + 1}`);
    expect(fromBinary(CheckBatchResponseSchema, check(batch({ requestId: "z", sink: "kafka:out", labels: [] }), new Metadata())).responses).toHaveLength(1);
  });
});
