import { createPublicKey, generateKeyPairSync } from "node:crypto";

import type { IHeaders } from "kafkajs";

import {
  CONTROL_SIGNATURE_HEADERS,
  controlKeyId,
  signControlRecord,
  signedControlBytes,
  verifyControlRecord,
  type ControlRecordBytes,
  type ControlRejectReason,
} from "./control-signature";

function signingKey() {
  const { privateKey } = generateKeyPairSync("ed25519");
  return { keyId: controlKeyId(privateKey), privateKey, publicKey: createPublicKey(privateKey) };
}

const current = signingKey();
const other = signingKey();
const keys = new Map([[current.keyId, current.publicKey]]);
const record: ControlRecordBytes = { topic: "flowzone.control.v1", key: Buffer.from("zone/crm"), value: Buffer.from([8, 7, 18, 3]) };

describe("control record signatures", () => {
  it("names a key by the SHA-256 of its public key, the same for the private key", () => {
    expect(controlKeyId(current.privateKey)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(controlKeyId(current.publicKey)).toBe(current.keyId);
    expect(other.keyId).not.toBe(current.keyId);
  });

  it("verifies a record signed by a known key, a tombstone too", () => {
    const tombstone = { ...record, value: null };
    expect(verifyControlRecord(keys, record, signControlRecord(current, record))).toEqual({ ok: true, keyId: current.keyId });
    expect(verifyControlRecord(keys, tombstone, signControlRecord(current, tombstone))).toEqual({ ok: true, keyId: current.keyId });
  });

  it("accepts any of several keys, so the signing key can rotate", () => {
    const both = new Map([...keys, [other.keyId, other.publicKey]]);
    expect(verifyControlRecord(both, record, signControlRecord(other, record)).ok).toBe(true);
    expect(verifyControlRecord(both, record, signControlRecord(current, record)).ok).toBe(true);
  });

  it("tells a null value from an empty one, and a null key from an empty one", () => {
    expect(signedControlBytes({ ...record, value: null })).not.toEqual(signedControlBytes({ ...record, value: Buffer.alloc(0) }));
    expect(signedControlBytes({ ...record, key: null })).not.toEqual(signedControlBytes({ ...record, key: Buffer.alloc(0) }));
    // Length prefixes: moving a byte from the key to the value changes the bytes signed.
    expect(signedControlBytes({ topic: "t", key: Buffer.from("ab"), value: Buffer.from("c") })).not.toEqual(
      signedControlBytes({ topic: "t", key: Buffer.from("a"), value: Buffer.from("bc") }),
    );
  });

  const headers = signControlRecord(current, record);
  const signature = headers[CONTROL_SIGNATURE_HEADERS.signature] ?? "";
  const flipped = Buffer.from(signature, "base64");
  flipped[0] = (flipped[0] ?? 0) ^ 1;
  const forged: [string, ControlRecordBytes, IHeaders | undefined, ControlRejectReason, string | undefined][] = [
    ["no headers", record, undefined, "unsigned", undefined],
    ["only the key id", record, { [CONTROL_SIGNATURE_HEADERS.keyId]: current.keyId }, "unsigned", current.keyId],
    ["only the signature", record, { [CONTROL_SIGNATURE_HEADERS.signature]: signature }, "unsigned", undefined],
    ["a repeated signature header", record, { ...headers, [CONTROL_SIGNATURE_HEADERS.signature]: [signature, signature] }, "malformed_signature", current.keyId],
    ["a signature that is not 64 bytes", record, { ...headers, [CONTROL_SIGNATURE_HEADERS.signature]: "AAAA" }, "malformed_signature", current.keyId],
    ["a key id no verify key has", record, signControlRecord(other, record), "unknown_key", other.keyId],
    ["another key's signature under the known key id", record, { ...signControlRecord(other, record), [CONTROL_SIGNATURE_HEADERS.keyId]: current.keyId }, "bad_signature", current.keyId],
    ["an altered bit of the signature", record, { ...headers, [CONTROL_SIGNATURE_HEADERS.signature]: flipped.toString("base64") }, "bad_signature", current.keyId],
    ["another value", { ...record, value: Buffer.from([8, 7, 18, 1]) }, headers, "bad_signature", current.keyId],
    ["a tombstone under a record's signature", { ...record, value: null }, headers, "bad_signature", current.keyId],
    ["another key", { ...record, key: Buffer.from("zone/billing") }, headers, "bad_signature", current.keyId],
    ["another topic", { ...record, topic: "flowzone.control.test" }, headers, "bad_signature", current.keyId],
  ];
  it.each(forged)("rejects %s", (_, bytes, given, reason, keyId) => {
    expect(verifyControlRecord(keys, bytes, given)).toEqual({ ok: false, reason, keyId, detail: expect.any(String) as unknown });
  });
});
