import { WriteError } from "@flowzone/engine";
import { FlowzoneError } from "@flowzone/errors";
import { overLimit, requestErrorOf } from "./request-error";

const unknownLabel = new WriteError("unknown_label", "labels[1]", "bananna", 'labels[1] "bananna" is not a declared label');

describe("requestErrorOf", () => {
  it("turns the engine's WriteError into invalid_argument with a field violation and the value", () => {
    const error = requestErrorOf(unknownLabel, {});
    expect(error).toBeInstanceOf(FlowzoneError);
    expect({ code: error?.code, message: error?.message, details: error?.details, cause: error?.cause }).toEqual({
      code: "invalid_argument",
      message: 'labels[1] "bananna" is not a declared label',
      details: { fieldViolations: [{ field: "labels[1]", description: 'labels[1] "bananna" is not a declared label', reason: "UNKNOWN_LABEL" }], metadata: { value: "bananna" } },
      cause: unknownLabel,
    });
  });

  it.each<[string, WriteError, string]>([
    ["puts the field first", new WriteError("missing_field", "sink", "", "is missing"), "sink: is missing"],
    ["names a value the sentence left out", new WriteError("malformed_asset", "sink", "ranker", "sink is not a well-formed asset id"), 'sink is not a well-formed asset id (got "ranker")'],
  ])("%s", (_name, error, message) => {
    expect(requestErrorOf(error, {})?.message).toBe(message);
  });

  it("places a batch item's error: requests[i]. before the sentence and the field path", () => {
    const error = requestErrorOf(unknownLabel, { index: 3 });
    expect(error?.message).toBe('requests[3].labels[1] "bananna" is not a declared label');
    expect(error?.details.fieldViolations?.map((v) => v.field)).toEqual(["requests[3].labels[1]"]);
    expect(error?.details.metadata).toEqual({ value: "bananna" });
  });

  it("names a stream's request_id in the sentence and the metadata, keeping the field path", () => {
    const error = requestErrorOf(overLimit("labels", 70, 64), { requestId: "r-2" });
    expect(error?.message).toBe('request_id "r-2": labels: 70 labels exceed the limit of 64');
    expect(error?.details).toEqual({
      fieldViolations: [{ field: "labels", description: "labels: 70 labels exceed the limit of 64", reason: "OVER_LIMIT" }],
      metadata: { value: "70", requestId: "r-2" },
    });
  });

  it.each<[string, unknown]>([
    ["a plain Error", new Error("bug")],
    ["a FlowzoneError that is not a request error", new FlowzoneError("unavailable", "down")],
  ])("leaves %s to the caller", (_name, error) => {
    expect(requestErrorOf(error, { index: 0 })).toBeUndefined();
  });
});
