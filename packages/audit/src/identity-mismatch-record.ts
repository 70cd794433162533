import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";

import { AuditRecordSchema, Credential as ProtoCredential } from "@flowzone/proto";

import type { EncodedAuditRecord } from "./audit-record";

/** How the decision service authenticated a caller. */
export type Credential = "client_certificate" | "bearer_token";

/** A request refused because its authenticated caller may not speak for the producer it claimed. */
export interface IdentityMismatch {
  /** Unique id of the record (the decision service draws it like a decision id). */
  readonly id: string;
  readonly authenticatedIdentity: string;
  readonly credential: Credential;
  /** The producer the request claimed. */
  readonly producer: string;
  readonly sink: string;
  readonly requestId: string;
  /** `Check`, `CheckBatch` or `CheckStream`. */
  readonly method: string;
  readonly policyVersion: string;
  /** W3C trace id, or "" when the request carried none. */
  readonly traceId: string;
  readonly timeMs: number;
}

const CREDENTIALS: Record<Credential, ProtoCredential> = {
  client_certificate: ProtoCredential.CLIENT_CERTIFICATE,
  bearer_token: ProtoCredential.BEARER_TOKEN,
};

/**
 * Encodes an identity_mismatch record. It concerns no zone (nothing was decided), so its zone and
 * its key are empty, as for the other events of no zone (policy_pushed); the writer's per-zone
 * drop counts then count it under "" rather than under a caller's name. It is rare (a
 * misconfigured or hostile caller), so the reflective encoder is fast enough.
 */
export function encodeIdentityMismatch(mismatch: IdentityMismatch): EncodedAuditRecord {
  const record = create(AuditRecordSchema, {
    id: mismatch.id,
    time: timestampFromMs(mismatch.timeMs),
    traceId: mismatch.traceId,
    policyVersion: mismatch.policyVersion,
    event: {
      case: "identityMismatch",
      value: {
        authenticatedIdentity: mismatch.authenticatedIdentity,
        credential: CREDENTIALS[mismatch.credential],
        producer: mismatch.producer,
        sink: mismatch.sink,
        requestId: mismatch.requestId,
        method: mismatch.method,
      },
    },
  });
  return { key: "", value: Buffer.from(toBinary(AuditRecordSchema, record)) };
}
