import { fromBinary } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { AuditRecordSchema, Credential } from "@flowzone/proto";

import { encodeIdentityMismatch } from "./identity-mismatch-record";

describe("encodeIdentityMismatch", () => {
  it("records who was authenticated, how, and which producer it claimed, with no zone and an empty key", () => {
    const encoded = encodeIdentityMismatch({
      id: "pdp-1a2b-7",
      authenticatedIdentity: "svc:marketing-sync",
      credential: "client_certificate",
      producer: "svc:billing",
      sink: "kafka:invoices",
      requestId: "r-9",
      method: "CheckStream",
      policyVersion: "sha256:abc@3",
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      timeMs: 1_763_771_234_567,
    });
    expect(encoded.key).toBe("");
    const record = fromBinary(AuditRecordSchema, encoded.value);
    expect({ id: record.id, zone: record.zone, traceId: record.traceId, policyVersion: record.policyVersion, timeMs: record.time === undefined ? 0 : timestampMs(record.time) }).toEqual({
      id: "pdp-1a2b-7",
      zone: "",
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      policyVersion: "sha256:abc@3",
      timeMs: 1_763_771_234_567,
    });
    if (record.event.case !== "identityMismatch") throw new Error(`expected identityMismatch, got ${String(record.event.case)}`);
    expect(record.event.value).toMatchObject({
      authenticatedIdentity: "svc:marketing-sync",
      credential: Credential.CLIENT_CERTIFICATE,
      producer: "svc:billing",
      sink: "kafka:invoices",
      requestId: "r-9",
      method: "CheckStream",
    });
  });

  it("names a bearer token as the credential", () => {
    const record = fromBinary(
      AuditRecordSchema,
      encodeIdentityMismatch({ id: "x", authenticatedIdentity: "svc:a", credential: "bearer_token", producer: "svc:b", sink: "", requestId: "", method: "Check", policyVersion: "", traceId: "", timeMs: 0 }).value,
    );
    expect(record.event.case === "identityMismatch" && record.event.value.credential).toBe(Credential.BEARER_TOKEN);
  });
});
