import * as grpc from "@grpc/grpc-js";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { anyPack, anyUnpack } from "@bufbuild/protobuf/wkt";
import { FlowzoneError } from "@flowzone/errors";
import { BadRequestSchema, ErrorInfoSchema, StatusSchema } from "@flowzone/proto";
import { fromServiceError, STATUS_DETAILS_KEY, toServiceError } from "./status-details";

const INTERNAL = "internal error; it has been logged";

function statusOf(error: grpc.ServiceError): ReturnType<typeof fromBinary<typeof StatusSchema>> {
  const [bytes] = error.metadata.get(STATUS_DETAILS_KEY);
  if (!Buffer.isBuffer(bytes)) throw new Error("no status details");
  return fromBinary(StatusSchema, bytes);
}

describe("toServiceError", () => {
  const badLabel = new FlowzoneError("invalid_argument", 'labels[1] "bananna" is not a declared label', {
    fieldViolations: [{ field: "labels[1]", description: '"bananna" is not a declared label', reason: "UNKNOWN_LABEL" }],
    metadata: { value: "bananna" },
  });

  it("sends the status and the sentence as grpc-js reads them", () => {
    const error = toServiceError(badLabel, INTERNAL);
    expect({ code: error.code, details: error.details, message: error.message }).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details: badLabel.message,
      message: badLabel.message,
    });
  });

  it("puts a google.rpc.Status with ErrorInfo and BadRequest in grpc-status-details-bin", () => {
    const status = statusOf(toServiceError(badLabel, INTERNAL));
    expect({ code: status.code, message: status.message }).toEqual({ code: grpc.status.INVALID_ARGUMENT, message: badLabel.message });
    expect(status.details.map((d) => d.typeUrl)).toEqual(["type.googleapis.com/google.rpc.ErrorInfo", "type.googleapis.com/google.rpc.BadRequest"]);
    const [info, badRequest] = status.details;
    expect(info && anyUnpack(info, ErrorInfoSchema)).toMatchObject({ reason: "INVALID_ARGUMENT", domain: "flowzone", metadata: { value: "bananna" } });
    expect(badRequest && anyUnpack(badRequest, BadRequestSchema)?.fieldViolations).toEqual([
      expect.objectContaining({ field: "labels[1]", description: '"bananna" is not a declared label', reason: "UNKNOWN_LABEL" }),
    ]);
  });

  it.each<[FlowzoneError, grpc.status]>([
    [new FlowzoneError("not_drained", "zone x is not drained"), grpc.status.FAILED_PRECONDITION],
    [new FlowzoneError("unauthenticated", "no token"), grpc.status.UNAUTHENTICATED],
    [new FlowzoneError("not_found", "no zone x"), grpc.status.NOT_FOUND],
    [new FlowzoneError("unavailable", "db down"), grpc.status.UNAVAILABLE],
    [new FlowzoneError("payload_too_large", "too big"), grpc.status.RESOURCE_EXHAUSTED],
  ])("maps %s to status %d, with ErrorInfo only", (error, code) => {
    const sent = toServiceError(error, INTERNAL);
    expect(sent.code).toBe(code);
    expect(statusOf(sent).details.map((d) => d.typeUrl)).toEqual(["type.googleapis.com/google.rpc.ErrorInfo"]);
  });

  it.each<[string, unknown]>([
    ["anything not a FlowzoneError", new Error("secret: password=hunter2")],
    ["an internal FlowzoneError", new FlowzoneError("internal", "secret detail", { metadata: { secret: "x" } })],
  ])("answers %s INTERNAL without leaking its message or details", (_name, error) => {
    const sent = toServiceError(error, INTERNAL);
    expect({ code: sent.code, details: sent.details }).toEqual({ code: grpc.status.INTERNAL, details: INTERNAL });
    const [info] = statusOf(sent).details;
    expect(info && anyUnpack(info, ErrorInfoSchema)).toMatchObject({ reason: "INTERNAL", metadata: {} });
  });
});

describe("fromServiceError", () => {
  it("reads back what toServiceError sent: code, sentence, field violations, metadata", () => {
    const sent = new FlowzoneError("invalid_argument", "requests[2].sink is missing", {
      fieldViolations: [{ field: "requests[2].sink", description: "sink is missing", reason: "MISSING_FIELD" }, { field: "labels", description: "too many" }],
      metadata: { value: "" },
    });
    const wire = toServiceError(sent, INTERNAL);
    const read = fromServiceError(wire);
    expect(read).toBeInstanceOf(FlowzoneError);
    expect({ code: read.code, message: read.message, details: read.details }).toEqual({ code: sent.code, message: sent.message, details: sent.details });
    expect(read.cause).toBe(wire);
  });

  it("reads the finer flowzone code from ErrorInfo (not_drained, not failed_precondition)", () => {
    expect(fromServiceError(toServiceError(new FlowzoneError("not_drained", "x"), INTERNAL)).code).toBe("not_drained");
  });

  it.each<[grpc.status, string]>([
    [grpc.status.INVALID_ARGUMENT, "invalid_argument"],
    [grpc.status.UNAVAILABLE, "unavailable"],
    [grpc.status.DEADLINE_EXCEEDED, "deadline_exceeded"],
    [grpc.status.FAILED_PRECONDITION, "failed_precondition"],
    [grpc.status.UNKNOWN, "internal"],
  ])("without details, takes status %d as %s", (code, expected) => {
    const read = fromServiceError({ code, details: "plain", metadata: new grpc.Metadata() });
    expect({ code: read.code, message: read.message, details: read.details }).toEqual({ code: expected, message: "plain", details: {} });
  });

  it("ignores details whose status disagrees with the call's", () => {
    const metadata = toServiceError(new FlowzoneError("not_drained", "x"), INTERNAL).metadata;
    const read = fromServiceError({ code: grpc.status.UNAVAILABLE, details: "connection reset", metadata });
    expect({ code: read.code, details: read.details }).toEqual({ code: "unavailable", details: {} });
  });

  it("ignores malformed details and another domain's ErrorInfo", () => {
    const malformed = new grpc.Metadata();
    malformed.set(STATUS_DETAILS_KEY, Buffer.from([0xff, 0xff, 0xff]));
    expect(fromServiceError({ code: grpc.status.INVALID_ARGUMENT, details: "x", metadata: malformed }).details).toEqual({});

    const foreign = new grpc.Metadata();
    const info = anyPack(ErrorInfoSchema, create(ErrorInfoSchema, { reason: "NOT_FOUND", domain: "googleapis.com", metadata: { a: "b" } }));
    foreign.set(STATUS_DETAILS_KEY, Buffer.from(toBinary(StatusSchema, create(StatusSchema, { code: grpc.status.INVALID_ARGUMENT, details: [info] }))));
    const read = fromServiceError({ code: grpc.status.INVALID_ARGUMENT, details: "x", metadata: foreign });
    expect({ code: read.code, details: read.details }).toEqual({ code: "invalid_argument", details: {} });
  });
});
