import * as grpc from "@grpc/grpc-js";
import { ControlError } from "@flowzone/control";
import { ApiError } from "./api-error";
import { grpcStatusOf } from "./grpc-status";
import { INTERNAL_MESSAGE } from "./http-errors";

describe("grpcStatusOf", () => {
  it.each([
    [new ApiError("unauthenticated", "no token"), grpc.status.UNAUTHENTICATED, "no token"],
    [new ApiError("permission_denied", "viewer"), grpc.status.PERMISSION_DENIED, "viewer"],
    [new ApiError("invalid_argument", "bad to", "to"), grpc.status.INVALID_ARGUMENT, "bad to"],
    [new ControlError("not_found", "no zone x"), grpc.status.NOT_FOUND, "no zone x"],
    [new ControlError("invalid_argument", "bad pattern"), grpc.status.INVALID_ARGUMENT, "bad pattern"],
    [new ControlError("unavailable", "db down"), grpc.status.UNAVAILABLE, "db down"],
    [
      new ControlError("not_drained", "zone x is not drained", { blockers: ["3 signatures are open", "1 seen 2m ago"] }),
      grpc.status.FAILED_PRECONDITION,
      "zone x is not drained:\n- 3 signatures are open\n- 1 seen 2m ago",
    ],
    [new ControlError("invalid_policy", "invalid bundle", { errors: ["a.yaml:3: unknown key"] }), grpc.status.INVALID_ARGUMENT, "invalid bundle:\n- a.yaml:3: unknown key"],
  ])("%s becomes %d", (error, code, details) => {
    const { status, internal } = grpcStatusOf(error);
    expect({ code: status.code, details: status.details, internal }).toEqual({ code, details, internal: false });
  });

  it("answers anything else INTERNAL without its message", () => {
    const { status, internal } = grpcStatusOf(new Error("secret"));
    expect({ code: status.code, details: status.details, internal }).toEqual({ code: grpc.status.INTERNAL, details: INTERNAL_MESSAGE, internal: true });
  });
});
