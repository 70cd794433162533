import * as grpc from "@grpc/grpc-js";
import { ControlError } from "@flowzone/control";
import { FlowzoneError } from "@flowzone/errors";
import { fromServiceError } from "@flowzone/grpc-kit";
import { grpcStatusOf } from "./grpc-status";
import { INTERNAL_MESSAGE } from "./http-errors";
import { invalidField } from "./invalid-field";

describe("grpcStatusOf", () => {
  it.each([
    [new FlowzoneError("unauthenticated", "no token"), grpc.status.UNAUTHENTICATED, "no token"],
    [new FlowzoneError("permission_denied", "viewer"), grpc.status.PERMISSION_DENIED, "viewer"],
    [invalidField("to", "bad to"), grpc.status.INVALID_ARGUMENT, "bad to"],
    [new ControlError("not_found", "no zone x"), grpc.status.NOT_FOUND, "no zone x"],
    [new ControlError("invalid_argument", "bad pattern"), grpc.status.INVALID_ARGUMENT, "bad pattern"],
    [new ControlError("payload_too_large", "record too large"), grpc.status.RESOURCE_EXHAUSTED, "record too large"],
    [new ControlError("unavailable", "db down"), grpc.status.UNAVAILABLE, "db down"],
    [
      new ControlError("not_drained", "zone x is not drained", { blockers: ["3 signatures are open", "1 seen 2m ago"] }),
      grpc.status.FAILED_PRECONDITION,
      "zone x is not drained:\n- 3 signatures are open\n- 1 seen 2m ago",
    ],
    [new ControlError("invalid_policy", "invalid bundle", { errors: ["a.yaml:3: unknown key"] }), grpc.status.INVALID_ARGUMENT, "invalid bundle:\n- a.yaml:3: unknown key"],
    [
      new ControlError("not_drained", "zone x is not drained", { blockers: ["3 open"], flowsNewlyDenied: 1 }),
      grpc.status.FAILED_PRECONDITION,
      "zone x is not drained:\n- 3 open\nIn enforcement the zone would newly deny 1 inventoried flow seen in the last 7d.",
    ],
  ])("%s becomes %d", (error, code, details) => {
    const { status, internal } = grpcStatusOf(error);
    expect({ code: status.code, details: status.details, internal }).toEqual({ code, details, internal: false });
  });

  it.each<[string, unknown, string, object]>([
    ["a missing field", invalidField("to", "bad to"), "invalid_argument", { fieldViolations: [{ field: "to", description: "bad to" }] }],
    ["a refused flip", new ControlError("not_drained", "zone x is not drained", { blockers: ["3 open"] }), "not_drained", {}],
    ["an invalid bundle", new ControlError("invalid_policy", "invalid bundle", { errors: ["a.yaml:3: x", "b.yaml:1: y"] }), "invalid_policy", {
      fieldViolations: [{ field: "files", description: "a.yaml:3: x" }, { field: "files", description: "b.yaml:1: y" }],
    }],
  ])("carries the code and details of %s in grpc-status-details-bin", (_name, error, code, details) => {
    const read = fromServiceError(grpcStatusOf(error).status);
    expect({ code: read.code, fieldViolations: read.details.fieldViolations }).toEqual({ code, ...details });
  });

  it("carries a refused flip's count of flows it would newly deny in ErrorInfo's metadata", () => {
    const read = fromServiceError(grpcStatusOf(new ControlError("not_drained", "zone x is not drained", { blockers: ["3 open"], flowsNewlyDenied: 12 })).status);
    expect(read.details.metadata).toEqual({ flowsNewlyDenied: "12" });
  });

  it.each<[string, unknown]>([
    ["anything else", new Error("secret")],
    ["an internal FlowzoneError", new FlowzoneError("internal", "secret")],
  ])("answers %s INTERNAL without its message", (_name, error) => {
    const { status, internal } = grpcStatusOf(error);
    expect({ code: status.code, details: status.details, internal }).toEqual({ code: grpc.status.INTERNAL, details: INTERNAL_MESSAGE, internal: true });
  });
});
