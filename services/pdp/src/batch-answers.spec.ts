import { create, toBinary } from "@bufbuild/protobuf";
import { CheckBatchResponseSchema, CheckResponseSchema, Decision, Mode, ViolationSchema } from "@flowzone/proto";
import type { CheckResponse, Violation } from "@flowzone/proto";
import { BatchAnswers } from "./batch-answers";
import type { WrittenBatchResponse } from "./batch-answers";
import { DecisionIds } from "./decision-ids";
import { violationFields } from "./encoded-fields";
import { encodeCheckBatchResponse } from "./wire-codec";

const banana = Object.freeze(create(ViolationSchema, { zone: "banana", rule: "boundary", mode: Mode.ENFORCEMENT, enforced: true, labels: ["banana", "pii.email"], reason: "Why." }));
const email = create(ViolationSchema, { zone: "émail", rule: "no-export", mode: Mode.LOGGING, enforced: false, labels: [""], reason: "" });

interface Answer {
  readonly requestId: string;
  readonly decision: Decision;
  readonly policyVersion: string;
  readonly violations: readonly Violation[];
}

const answers: Answer[] = [
  { requestId: "r-1", decision: Decision.ALLOW, policyVersion: "sha256:ff@0", violations: [] },
  { requestId: "", decision: Decision.DENY, policyVersion: "sha256:ff@0", violations: [banana] },
  { requestId: "ünïcode ✓", decision: Decision.ALLOW, policyVersion: "", violations: [banana, email] },
  { requestId: "x".repeat(300), decision: Decision.DENY, policyVersion: "sha256:ff@1", violations: [email] },
];

/** What the batch path answered before it wrote to the wire: CheckResponse messages, encoded by toBinary. */
function expectedBytes(prefix: string, firstSerial: number, batch: readonly Answer[]): Buffer {
  const ids = new DecisionIds(prefix);
  const responses = batch.map((answer, index): CheckResponse =>
    create(CheckResponseSchema, { ...answer, violations: [...answer.violations], decisionId: ids.idOf(firstSerial + index) }),
  );
  return Buffer.from(toBinary(CheckBatchResponseSchema, create(CheckBatchResponseSchema, { responses })));
}

function written(writer: BatchAnswers, firstSerial: number, batch: readonly Answer[]): WrittenBatchResponse {
  writer.begin();
  batch.forEach((answer, index) => { writer.add(answer.requestId, answer.decision, firstSerial + index, answer.policyVersion, violationFields(answer.violations)); });
  return writer.finish();
}

describe("BatchAnswers", () => {
  it("writes the bytes toBinary writes for the same CheckBatchResponse", () => {
    const writer = new BatchAnswers(new DecisionIds("abc"));
    expect(written(writer, 1, answers).bytes).toEqual(expectedBytes("abc", 1, answers));
  });

  it("writes decision ids of every length, up to the largest safe serial", () => {
    const writer = new BatchAnswers(new DecisionIds("p"));
    for (const serial of [1, 35, 36, 1295, 1296, 2 ** 31, 2 ** 32 + 7, Number.MAX_SAFE_INTEGER]) {
      expect(written(writer, serial, answers.slice(0, 1)).bytes).toEqual(expectedBytes("p", serial, answers.slice(0, 1)));
    }
  });

  it("grows its scratch room for a batch larger than it, and writes the next batch afresh", () => {
    const writer = new BatchAnswers(new DecisionIds("abc"));
    const large = Array.from({ length: 1000 }, (_, i) => answers[i % answers.length] as Answer);
    expect(written(writer, 1, large).bytes).toEqual(expectedBytes("abc", 1, large));
    expect(written(writer, 5, answers).bytes).toEqual(expectedBytes("abc", 5, answers));
  });

  it("drops what an unfinished batch wrote when the next begins", () => {
    const writer = new BatchAnswers(new DecisionIds("abc"));
    writer.begin();
    writer.add("abandoned", Decision.DENY, 9, "v", violationFields([banana]));
    expect(written(writer, 1, answers).bytes).toEqual(expectedBytes("abc", 1, answers));
  });

  it("writes an empty batch as no bytes", () => {
    expect(written(new BatchAnswers(new DecisionIds("abc")), 1, []).bytes.length).toBe(0);
  });

  it("reads back as the CheckBatchResponse it stands for, and is sent as written", () => {
    const response = written(new BatchAnswers(new DecisionIds("abc")), 1, answers);
    expect(response.responses.map((r) => [r.requestId, r.decision, r.decisionId, r.violations.map((v) => v.zone)])).toEqual([
      ["r-1", Decision.ALLOW, "abc-1", []],
      ["", Decision.DENY, "abc-2", ["banana"]],
      ["ünïcode ✓", Decision.ALLOW, "abc-3", ["banana", "émail"]],
      ["x".repeat(300), Decision.DENY, "abc-4", ["émail"]],
    ]);
    expect(encodeCheckBatchResponse(response)).toBe(response.bytes);
  });
});
