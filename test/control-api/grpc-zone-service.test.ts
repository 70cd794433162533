// The ZoneService over gRPC mirrors the HTTP API: same facade, same auth, same refusals.
import * as grpc from "@grpc/grpc-js";
import { fromBinary } from "@bufbuild/protobuf";
import { anyUnpack, timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  BadRequestSchema,
  DrainState,
  ErrorInfoSchema,
  FlipZoneRequestSchema,
  FlipZoneResponseSchema,
  GetZoneRequestSchema,
  GetZoneResponseSchema,
  GrantExceptionRequestSchema,
  GrantExceptionResponseSchema,
  ListViolationsRequestSchema,
  ListViolationsResponseSchema,
  ListZonesRequestSchema,
  ListZonesResponseSchema,
  Mode,
  PushPolicyRequestSchema,
  PushPolicyResponseSchema,
  StatusSchema,
  ViolationStatus,
} from "@flowzone/proto";
import { ADMIN_TOKEN, grpcError, startControlApi, VIEWER_TOKEN, ZoneClient } from "./control-api-harness";
import type { ControlApi } from "./control-api-harness";

let api: ControlApi;
let client: ZoneClient;
beforeEach(async () => {
  api = await startControlApi();
  client = new ZoneClient(api.grpcAddress);
});
afterEach(async () => {
  client.close();
  await api.stop();
});

/** The ErrorInfo reason and BadRequest fields of a failed call, read from its trailer as any gRPC client would. */
function statusDetails(error: grpc.ServiceError): { reason: string | undefined; fields: string[] } {
  const [bytes] = error.metadata.get("grpc-status-details-bin");
  if (!Buffer.isBuffer(bytes)) throw new Error("no grpc-status-details-bin trailer");
  const status = fromBinary(StatusSchema, bytes);
  expect({ code: status.code, message: status.message }).toEqual({ code: error.code, message: error.details });
  const info = status.details.map((d) => anyUnpack(d, ErrorInfoSchema)).find((d) => d !== undefined);
  const badRequest = status.details.map((d) => anyUnpack(d, BadRequestSchema)).find((d) => d !== undefined);
  return { reason: info?.reason, fields: badRequest?.fieldViolations.map((v) => v.field) ?? [] };
}

describe("ZoneService over gRPC", () => {
  it("lists zones and gets one with a viewer token", async () => {
    const list = await client.call("listZones", ListZonesRequestSchema, {}, VIEWER_TOKEN, ListZonesResponseSchema);
    expect(list.zones.map((z) => [z.name, z.mode, z.openViolations, z.violationsNotStored])).toEqual([
      ["banana", Mode.LOGGING, 2, 7n],
      ["email", Mode.LOGGING, 0, 0n],
    ]);
    expect(list.zones[0]?.lastViolationAt).toBeDefined();
    expect(list.zones[1]?.lastViolationAt).toBeUndefined();
    expect(list.zones.map((z) => [z.drain?.state, z.drain?.windowDays, z.drain?.projectedDrainAt])).toEqual([
      [DrainState.NOT_DRAINING, 7, undefined],
      [DrainState.DRAINED, 7, undefined],
    ]);

    const detail = await client.call("getZone", GetZoneRequestSchema, { zone: "banana" }, VIEWER_TOKEN, GetZoneResponseSchema);
    expect(detail.zone?.name).toBe("banana");
    expect(detail.readiness?.blockers).toHaveLength(2);
    expect(detail.readiness?.decisionsInQuietPeriod).toBe(1200n);
    expect(detail.topOpenFlows.map((f) => f.sink)).toEqual(["kafka:export-daily", "svc:ads-ranker"]);
  });

  it("lists violations by status (unspecified lists all)", async () => {
    const all = await client.call("listViolations", ListViolationsRequestSchema, { zone: "banana" }, ADMIN_TOKEN, ListViolationsResponseSchema);
    expect(all.violations.map((v) => v.id)).toEqual(["v-1", "v-2", "v-3"]);
    const open = await client.call("listViolations", ListViolationsRequestSchema, { zone: "banana", status: ViolationStatus.OPEN, limit: 1 }, ADMIN_TOKEN, ListViolationsResponseSchema);
    expect(open.violations.map((v) => [v.id, v.count])).toEqual([["v-1", 42n]]);
  });

  it("flips with an admin token and records its subject", async () => {
    api.plane.flowsNewlyDenied = 5;
    const response = await client.call("flipZone", FlipZoneRequestSchema, { zone: "email", to: Mode.ENFORCEMENT, reason: "drained" }, ADMIN_TOKEN, FlipZoneResponseSchema);
    expect(response.zone?.mode).toBe(Mode.ENFORCEMENT);
    expect(response.flowsNewlyDenied).toBe(5n);
    expect(api.plane.changes).toEqual([{ operation: "flip", target: "email", actor: "alice@privacy" }]);
  });

  it("grants an exception and pushes a policy", async () => {
    const expiresAt = timestampFromDate(new Date(Date.now() + 3600_000));
    const granted = await client.call(
      "grantException",
      GrantExceptionRequestSchema,
      { zone: "banana", producer: "svc:a", sink: "kafka:b", justification: "test", expiresAt },
      ADMIN_TOKEN,
      GrantExceptionResponseSchema,
    );
    expect(granted.exception).toMatchObject({ id: "ex-1", zone: "banana", approver: "alice@privacy" });
    const pushed = await client.call("pushPolicy", PushPolicyRequestSchema, { files: { "a.yaml": "kind: Label\nname: a\n" } }, ADMIN_TOKEN, PushPolicyResponseSchema);
    expect(pushed.version).toMatch(/^sha256:/);
  });

  it.each([
    ["no token", undefined, grpc.status.UNAUTHENTICATED, "missing bearer token: send the header 'Authorization: Bearer <token>'"],
    ["a bad token", "forged-token-0123456789", grpc.status.UNAUTHENTICATED, "the bearer token is not valid"],
    ["a viewer token", VIEWER_TOKEN, grpc.status.PERMISSION_DENIED, "bob@eng has the role viewer; changes need the role privacy-admin"],
  ])("refuses a flip with %s", async (_name, token, code, details) => {
    const error = await grpcError(client.call("flipZone", FlipZoneRequestSchema, { zone: "email", to: Mode.OFF, reason: "x" }, token));
    expect({ code: error.code, details: error.details }).toEqual({ code, details });
    expect(api.plane.changes).toEqual([]);
  });

  it("refuses reads without a token", async () => {
    const error = await grpcError(client.call("listZones", ListZonesRequestSchema, {}, undefined));
    expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it.each([
    ["an unknown zone", { zone: "nope", to: Mode.LOGGING, reason: "x" }, grpc.status.NOT_FOUND, "no zone named nope"],
    ["no mode", { zone: "banana", reason: "x" }, grpc.status.INVALID_ARGUMENT, '"to" is required: one of enforcement, logging, off'],
    ["no reason", { zone: "banana", to: Mode.LOGGING }, grpc.status.INVALID_ARGUMENT, `"reason" is required: say why the zone changes mode; it is recorded in the zone's history`],
    [
      "a zone that has not drained",
      { zone: "banana", to: Mode.ENFORCEMENT, reason: "x" },
      grpc.status.FAILED_PRECONDITION,
      "zone banana is not drained, so it cannot enforce yet:\n- 2 violation signatures are still open\n- the last violation was seen 3 minutes ago; the quiet period of 24h has not passed\n" +
        "In enforcement the zone would newly deny 0 inventoried flows seen in the last 7d.",
    ],
  ])("refuses a flip of %s", async (_name, init, code, details) => {
    const error = await grpcError(client.call("flipZone", FlipZoneRequestSchema, init, ADMIN_TOKEN));
    expect({ code: error.code, details: error.details }).toEqual({ code, details });
  });

  it("refuses an expired exception and an invalid bundle with INVALID_ARGUMENT", async () => {
    const expired = await grpcError(
      client.call("grantException", GrantExceptionRequestSchema, { zone: "banana", producer: "svc:a", sink: "kafka:b", justification: "x", expiresAt: timestampFromDate(new Date(1000)) }, ADMIN_TOKEN),
    );
    expect(expired.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(expired.details).toMatch(/"expiresAt" "1970-01-01T00:00:01.000Z" is in the past/);
    const invalid = await grpcError(client.call("pushPolicy", PushPolicyRequestSchema, { files: { "a.yaml": "kind: Label\nname: a\ncolour: red\n" } }, ADMIN_TOKEN));
    expect(invalid.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(invalid.details).toMatch(/\n- a\.yaml:3: /);
    expect(statusDetails(invalid)).toEqual({ reason: "INVALID_POLICY", fields: ["files"] });
  });

  it.each([
    ["a missing field", "flipZone", FlipZoneRequestSchema, { zone: "banana", reason: "x" }, { reason: "INVALID_ARGUMENT", fields: ["to"] }],
    ["a zone that has not drained", "flipZone", FlipZoneRequestSchema, { zone: "banana", to: Mode.ENFORCEMENT, reason: "x" }, { reason: "NOT_DRAINED", fields: [] }],
    ["an unknown zone", "getZone", GetZoneRequestSchema, { zone: "nope" }, { reason: "NOT_FOUND", fields: [] }],
  ] as const)("sends google.rpc details in grpc-status-details-bin for %s", async (_name, method, schema, init, expected) => {
    const error = await grpcError(client.call(method, schema, init, ADMIN_TOKEN));
    expect(statusDetails(error)).toEqual(expected);
  });
});
