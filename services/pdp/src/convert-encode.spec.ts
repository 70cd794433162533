import { create, toBinary } from "@bufbuild/protobuf";
import { CheckBatchResponseSchema, CheckResponseSchema, Decision, Mode } from "@flowzone/proto";
import type { CheckResponse } from "@flowzone/proto";
import { encodeCheckBatchResponse, encodeCheckResponse } from "./convert";

const responses: CheckResponse[] = [
  create(CheckResponseSchema, {}),
  create(CheckResponseSchema, { requestId: "r-1", decision: Decision.ALLOW, decisionId: "abc-1", policyVersion: "sha256:ff@0" }),
  create(CheckResponseSchema, {
    requestId: "ünïcode ✓",
    decision: Decision.DENY,
    decisionId: "abc-2",
    policyVersion: "sha256:ff@3",
    violations: [
      { zone: "banana", rule: "boundary", mode: Mode.ENFORCEMENT, enforced: true, labels: ["banana", "pii.email"], reason: "Why." },
      { zone: "email", rule: "no-export", mode: Mode.LOGGING, enforced: false, labels: [], reason: "" },
      {},
    ],
  }),
];

describe("convert: hand-written encoders", () => {
  it.each(responses.map((r, i) => [i, r] as const))("encodes CheckResponse #%d exactly as toBinary", (_i, response) => {
    expect(Buffer.from(encodeCheckResponse(response))).toEqual(Buffer.from(toBinary(CheckResponseSchema, response)));
  });

  it("encodes a CheckBatchResponse exactly as toBinary", () => {
    const batch = create(CheckBatchResponseSchema, { responses });
    expect(Buffer.from(encodeCheckBatchResponse(batch))).toEqual(Buffer.from(toBinary(CheckBatchResponseSchema, batch)));
  });

  it("encodes an empty batch as no bytes", () => {
    expect(encodeCheckBatchResponse(create(CheckBatchResponseSchema, {})).length).toBe(0);
  });
});
