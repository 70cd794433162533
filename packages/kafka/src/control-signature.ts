import { createHash, createPublicKey, sign, verify, type KeyObject } from "node:crypto";

import type { IHeaders } from "kafkajs";

/** Headers of a signed control record (docs/reference/kafka.md). */
export const CONTROL_SIGNATURE_HEADERS = {
  /** The Ed25519 signature of {@link signedControlBytes}, base64. */
  signature: "flowzone-signature",
  /** Which key signed: {@link controlKeyId} of its public key. */
  keyId: "flowzone-signing-key",
} as const;

/** The control plane's Ed25519 private key with the id followers know its public key by. */
export interface ControlSigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
}

/** The Ed25519 public keys a follower accepts, by {@link controlKeyId}: several at once so keys can rotate. */
export type ControlVerifyKeys = ReadonlyMap<string, KeyObject>;

/** Why a control record was not applied; a closed set, the label of the rejection metric. */
export type ControlRejectReason = "unsigned" | "malformed_signature" | "unknown_key" | "bad_signature";

/** What {@link verifyControlRecord} found. `keyId` is the header's, as given (undefined when absent). */
export type ControlVerdict =
  | { readonly ok: true; readonly keyId: string }
  | { readonly ok: false; readonly reason: ControlRejectReason; readonly keyId: string | undefined; readonly detail: string };

/** A record of the control topic as signed and verified: the key and value bytes as on Kafka. */
export interface ControlRecordBytes {
  readonly topic: string;
  readonly key: Uint8Array | null;
  /** null: a tombstone, signed like any record so a forged one cannot delete a zone's state. */
  readonly value: Uint8Array | null;
}

/** Separates these signatures from any other use of the same key. */
const DOMAIN = Buffer.from("flowzone control record v1\n", "utf8");
const SIGNATURE_BYTES = 64;

/**
 * A key's id: `sha256:` and the hex SHA-256 of its public key in DER (SubjectPublicKeyInfo), the
 * same as `openssl pkey -pubin -in key.pem -outform DER | sha256sum`. A private key's id is its
 * public key's.
 */
export function controlKeyId(key: KeyObject): string {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  return `sha256:${createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("hex")}`;
}

/** The bytes a control record's signature covers: topic, key and value, each length-prefixed, a null told apart from empty. */
export function signedControlBytes(record: ControlRecordBytes): Buffer {
  return Buffer.concat([DOMAIN, field(Buffer.from(record.topic, "utf8")), field(record.key), field(record.value)]);
}

/** The headers that sign one control record. */
export function signControlRecord(signingKey: ControlSigningKey, record: ControlRecordBytes): Record<string, string> {
  const signature = sign(null, signedControlBytes(record), signingKey.privateKey);
  return { [CONTROL_SIGNATURE_HEADERS.signature]: signature.toString("base64"), [CONTROL_SIGNATURE_HEADERS.keyId]: signingKey.keyId };
}

/**
 * Checks a control record's signature against the keys a follower accepts. A record without
 * both headers is `unsigned`; a repeated header or a signature that is not 64 bytes of base64
 * `malformed_signature`; a key id not among `keys` `unknown_key`; a signature that does not
 * verify over this topic, key and value (another topic's record, altered bytes, another key)
 * `bad_signature`.
 */
export function verifyControlRecord(keys: ControlVerifyKeys, record: ControlRecordBytes, headers: IHeaders | undefined): ControlVerdict {
  const signature = header(headers, CONTROL_SIGNATURE_HEADERS.signature);
  const keyId = header(headers, CONTROL_SIGNATURE_HEADERS.keyId);
  const givenKeyId = typeof keyId === "object" ? keyId.text : undefined;
  const reject = (reason: ControlRejectReason, detail: string): ControlVerdict => ({ ok: false, reason, keyId: givenKeyId, detail });
  if (signature === undefined && keyId === undefined) return reject("unsigned", "the record carries no signature");
  if (signature === undefined || keyId === undefined) {
    return reject("unsigned", `the record has no ${signature === undefined ? CONTROL_SIGNATURE_HEADERS.signature : CONTROL_SIGNATURE_HEADERS.keyId} header`);
  }
  if (signature === "repeated" || keyId === "repeated") return reject("malformed_signature", "a signature header is repeated");
  const bytes = Buffer.from(signature.text, "base64");
  if (bytes.length !== SIGNATURE_BYTES || bytes.toString("base64") !== signature.text) {
    return reject("malformed_signature", `${CONTROL_SIGNATURE_HEADERS.signature} is not ${SIGNATURE_BYTES} bytes in base64`);
  }
  const publicKey = keys.get(keyId.text);
  if (publicKey === undefined) return reject("unknown_key", `key ${keyId.text} is not among the verify keys`);
  if (!verify(null, signedControlBytes(record), publicKey, bytes)) return reject("bad_signature", `the signature does not match this topic, key and value under key ${keyId.text}`);
  return { ok: true, keyId: keyId.text };
}

function field(bytes: Uint8Array | null): Buffer {
  const head = Buffer.alloc(5);
  if (bytes === null) return head;
  head.writeUInt8(1, 0);
  head.writeUInt32BE(bytes.length, 1);
  return Buffer.concat([head, bytes]);
}

function header(headers: IHeaders | undefined, name: string): { readonly text: string } | "repeated" | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return "repeated";
  return { text: value.toString() };
}
