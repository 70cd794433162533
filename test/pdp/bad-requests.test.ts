import * as grpc from "@grpc/grpc-js";
import { fromBinary } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { BadRequestSchema, ErrorInfoSchema, StatusSchema } from "@flowzone/proto";
import type { BadRequest, CheckResponse, ErrorInfo } from "@flowzone/proto";
import type { CheckInit, Pdp } from "./pdp-harness";
import { BUNDLE, grpcError, nextMessage, startPdp, streamStatus } from "./pdp-harness";

const ok: CheckInit = { producer: "svc:banana-app", sink: "svc:banana-ranker", labels: ["banana"] };
const many = (n: number, make: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => make(i));

/** The google.rpc details of a failed call, decoded from its trailer as any gRPC client would. */
function statusDetails(error: Pick<grpc.StatusObject, "code" | "metadata">): { badRequest?: BadRequest; errorInfo?: ErrorInfo } {
  const [bytes] = error.metadata.get("grpc-status-details-bin");
  if (!Buffer.isBuffer(bytes)) throw new Error("no grpc-status-details-bin trailer");
  const status = fromBinary(StatusSchema, bytes);
  expect(status.code).toBe(error.code);
  const found: { badRequest?: BadRequest; errorInfo?: ErrorInfo } = {};
  for (const detail of status.details) {
    found.badRequest ??= anyUnpack(detail, BadRequestSchema);
    found.errorInfo ??= anyUnpack(detail, ErrorInfoSchema);
  }
  return found;
}

describe("decision service: bad requests are INVALID_ARGUMENT naming the field, then the value", () => {
  let pdp: Pdp;

  beforeAll(async () => {
    pdp = await startPdp({ limits: { maxMessageBytes: 64 * 1024, maxLabels: 64, maxSources: 64, maxBatch: 1000 } });
  });

  afterAll(async () => {
    await pdp.stop();
  });

  it.each<[string, CheckInit, RegExp]>([
    ["unknown label", { ...ok, labels: ["banana", "bananna"] }, /^labels\[1\] "bananna" is not a declared label/],
    ["unknown source asset", { ...ok, sources: ["kafka:nowhere"] }, /^sources\[0\] "kafka:nowhere" is not a declared asset/],
    ["malformed source asset id", { ...ok, sources: ["not an asset"] }, /^sources\[0\] "not an asset" is not a well-formed asset id/],
    ["malformed sink", { ...ok, sink: "ranker" }, /^sink\b.*"ranker"/],
    ["malformed producer", { ...ok, producer: "Banana App" }, /^producer\b.*"Banana App"/],
    ["empty producer", { ...ok, producer: "" }, /^producer is missing/],
    ["empty sink", { ...ok, sink: "" }, /^sink is missing/],
    ["too many labels", { ...ok, labels: many(70, (i) => `l${i}`) }, /^labels lists 70 entries; the most accepted is 64 \(maxLabels of the decision service's limits\)$/],
    ["too many sources", { ...ok, sources: many(65, (i) => `kafka:s${i}`) }, /^sources lists 65 entries; the most accepted is 64 \(maxSources of the decision service's limits\)$/],
    ["producer over 256 bytes", { ...ok, producer: `svc:${"p".repeat(60_000)}` }, /^producer is 60004 bytes long; the longest accepted is 256 bytes \(maxFieldBytes of the bundle's Defaults\) \(got "svc:p{60}…"\)$/],
    ["sink over 256 bytes", { ...ok, sink: `kafka:${"é".repeat(200)}` }, /^sink is 406 bytes long; the longest accepted is 256 bytes/],
    ["purpose over 256 bytes", { ...ok, purpose: "p".repeat(257) }, /^purpose is 257 bytes long; the longest accepted is 256 bytes/],
    ["request_id over 256 bytes", { ...ok, requestId: "r".repeat(300) }, /^request_id is 300 bytes long; the longest accepted is 256 bytes/],
  ])("Check: %s", async (_name, request, message) => {
    const error = await grpcError(pdp.client.check(request));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toMatch(message);
  });

  it.each<[string, CheckInit, string, string, string]>([
    ["unknown label", { ...ok, labels: ["banana", "bananna"] }, "labels[1]", "UNKNOWN_LABEL", "bananna"],
    ["unknown source asset", { ...ok, sources: ["kafka:nowhere"] }, "sources[0]", "UNKNOWN_SOURCE", "kafka:nowhere"],
    ["malformed sink", { ...ok, sink: "ranker" }, "sink", "MALFORMED_ASSET", "ranker"],
    ["empty producer", { ...ok, producer: "" }, "producer", "MISSING_FIELD", ""],
    ["too many labels", { ...ok, labels: many(70, (i) => `l${i}`) }, "labels", "OVER_LIMIT", "70"],
    ["producer over 256 bytes", { ...ok, producer: `svc:${"p".repeat(60_000)}` }, "producer", "TOO_LONG", `svc:${"p".repeat(60)}…`],
  ])("Check: %s carries a google.rpc.BadRequest naming the field, and ErrorInfo with the value", async (_name, request, field, reason, value) => {
    const error = await grpcError(pdp.client.check(request));
    const { badRequest, errorInfo } = statusDetails(error);
    expect(badRequest?.fieldViolations).toEqual([expect.objectContaining({ field, reason, description: error.details })]);
    expect(errorInfo).toMatchObject({ reason: "INVALID_ARGUMENT", domain: "flowzone", metadata: { value } });
  });

  it("CheckBatch names the index of the bad request", async () => {
    const requests = [ok, ok, ok, { ...ok, labels: ["x"] }, ok];
    const error = await grpcError(pdp.client.checkBatch(requests));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toMatch(/^requests\[3\]\.labels\[0\] "x" is not a declared label/);
    expect(statusDetails(error).badRequest?.fieldViolations.map((v) => v.field)).toEqual(["requests[3].labels[0]"]);
  });

  it("CheckBatch names the index for a limit too", async () => {
    const error = await grpcError(pdp.client.checkBatch([ok, { ...ok, labels: many(65, () => "banana") }]));
    expect(error.details).toBe("requests[1].labels lists 65 entries; the most accepted is 64 (maxLabels of the decision service's limits)");
  });

  it("CheckBatch refuses an oversized batch", async () => {
    const error = await grpcError(pdp.client.checkBatch(many(1001, () => "").map(() => ({ producer: "svc:a", sink: "svc:b" }))));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toBe("requests: 1001 requests exceed the limit of 1000");
  });

  it("CheckBatch refuses bytes that are not a CheckBatchRequest, saying what is wrong, and keeps serving", async () => {
    const raw = new grpc.Client(pdp.address, grpc.credentials.createInsecure());
    const send = (bytes: Buffer): Promise<grpc.ServiceError> =>
      grpcError(
        new Promise((resolve, reject) => {
          raw.makeUnaryRequest("/flowzone.v1.DecisionService/CheckBatch", (b: Buffer) => b, (b: Buffer) => b, bytes, (error, value) => {
            if (error !== null) reject(error);
            else resolve(value);
          });
        }),
      );
    try {
      // A request of 16 bytes announced, 2 sent; then a string field whose length runs past the end.
      const truncated = await send(Buffer.from([0x0a, 0x10, 0x0a, 0x03]));
      expect([truncated.code, truncated.details]).toEqual([grpc.status.INVALID_ARGUMENT, "malformed CheckBatchRequest: premature end of a CheckRequest"]);
      const overrun = await send(Buffer.from([0x0a, 0x04, 0x0a, 0x09, 0x61, 0x62]));
      expect([overrun.code, overrun.details]).toEqual([grpc.status.INVALID_ARGUMENT, "malformed CheckBatchRequest: premature end of a string"]);
    } finally {
      raw.close();
    }
    expect((await pdp.client.checkBatch([ok])).responses).toHaveLength(1);
  });

  it("CheckStream ends the stream on a bad request, naming its request_id", async () => {
    const stream = pdp.client.stream();
    const status = streamStatus(stream);
    const first = nextMessage<CheckResponse>(stream);
    stream.write({ $typeName: "flowzone.v1.CheckRequest", requestId: "r-1", producer: "svc:banana-app", sink: "svc:banana-ranker", labels: ["banana"], sources: [], purpose: "" });
    expect((await first).requestId).toBe("r-1");
    stream.write({ $typeName: "flowzone.v1.CheckRequest", requestId: "r-2", producer: "svc:banana-app", sink: "svc:banana-ranker", labels: ["bananna"], sources: [], purpose: "" });
    const final = await status;
    expect(final.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(final.details).toMatch(/^request_id "r-2": labels\[0\] "bananna" is not a declared label/);
    const { badRequest, errorInfo } = statusDetails(final);
    expect(badRequest?.fieldViolations.map((v) => v.field)).toEqual(["labels[0]"]);
    expect(errorInfo?.metadata).toEqual({ value: "bananna", requestId: "r-2" });
  });

  it("refuses a message over the size limit", async () => {
    const error = await grpcError(pdp.client.check({ ...ok, purpose: "p".repeat(70 * 1024) }));
    expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });

  it("keeps serving after bad requests", async () => {
    await grpcError(pdp.client.check({ ...ok, labels: ["nope"] }));
    expect((await pdp.client.check(ok)).decisionId).not.toBe("");
  });
});

describe("decision service: the bundle's Defaults bound labels and sources too", () => {
  let pdp: Pdp;

  beforeAll(async () => {
    pdp = await startPdp({ files: { ...BUNDLE, "defaults.yaml": `${BUNDLE["defaults.yaml"] ?? ""}maxLabels: 1\nmaxSources: 1\n` } });
  });

  afterAll(async () => {
    await pdp.stop();
  });

  it.each<[string, CheckInit, string]>([
    ["labels", { ...ok, labels: ["banana", "pii.email"] }, "labels lists 2 entries; the most accepted is 1 (maxLabels of the bundle's Defaults)"],
    ["sources", { ...ok, sources: ["kafka:banana-events", "table:crm.contacts"] }, "sources lists 2 entries; the most accepted is 1 (maxSources of the bundle's Defaults)"],
  ])("Check: more %s than the bundle allows is INVALID_ARGUMENT naming the field and the limit", async (field, request, message) => {
    const error = await grpcError(pdp.client.check(request));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toBe(message);
    expect(statusDetails(error).badRequest?.fieldViolations).toEqual([expect.objectContaining({ field, reason: "OVER_LIMIT" })]);
  });
});
