import { FLOWZONE_ERROR_CODES, isFlowzoneErrorCode } from "./error-code";
import { FlowzoneError } from "./flowzone-error";

describe("FlowzoneError", () => {
  it("carries its code, sentence, details and cause", () => {
    const cause = new Error("first");
    const error = new FlowzoneError("invalid_argument", "labels[1] is not declared", { fieldViolations: [{ field: "labels[1]", description: "not declared" }], metadata: { value: "x" } }, { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: "FlowzoneError", code: "invalid_argument", message: "labels[1] is not declared", cause });
    expect(error.details).toEqual({ fieldViolations: [{ field: "labels[1]", description: "not declared" }], metadata: { value: "x" } });
  });

  it("has no details unless given", () => {
    expect(new FlowzoneError("not_found", "no zone x").details).toEqual({});
  });

  describe("from", () => {
    it("returns a FlowzoneError as it is", () => {
      const error = new FlowzoneError("not_drained", "zone x is not drained");
      expect(FlowzoneError.from(error)).toBe(error);
    });

    it.each<[string, unknown, string]>([
      ["an Error", new TypeError("boom"), "boom"],
      ["a string", "plain text", "plain text"],
      ["undefined", undefined, "undefined"],
    ])("makes %s internal, keeping it as the cause", (_name, thrown, message) => {
      const error = FlowzoneError.from(thrown);
      expect(error).toMatchObject({ code: "internal", message, details: {} });
      expect(error.cause).toBe(thrown);
    });
  });
});

describe("isFlowzoneErrorCode", () => {
  it.each(FLOWZONE_ERROR_CODES)("accepts %s", (code) => {
    expect(isFlowzoneErrorCode(code)).toBe(true);
  });

  it.each(["", "INVALID_ARGUMENT", "denied", "toString"])("refuses %p", (value) => {
    expect(isFlowzoneErrorCode(value)).toBe(false);
  });
});
