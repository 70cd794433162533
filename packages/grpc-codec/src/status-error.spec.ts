import * as grpc from "@grpc/grpc-js";
import { statusError } from "./status-error";

describe("statusError", () => {
  it("carries the code and the message as details", () => {
    const error = statusError(grpc.status.INVALID_ARGUMENT, 'labels[0]: unknown label "x"');
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toBe('labels[0]: unknown label "x"');
    expect(error.message).toBe('labels[0]: unknown label "x"');
    expect(error.metadata).toBeInstanceOf(grpc.Metadata);
  });
});
