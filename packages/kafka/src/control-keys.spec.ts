import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { readSettings } from "@flowzone/service-kit";

import { CONTROL_SIGNING_KEY_SETTING, CONTROL_VERIFY_KEYS_SETTING } from "./control-key-settings";
import { controlKeyId, signControlRecord, verifyControlRecord } from "./control-signature";

const dir = mkdtempSync(path.join(os.tmpdir(), "flowzone-control-keys-"));
const settings = { signingKey: CONTROL_SIGNING_KEY_SETTING, verifyKeys: CONTROL_VERIFY_KEYS_SETTING };

function fileWith(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function ed25519Pair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return { privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), publicPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}

const first = ed25519Pair();
const second = ed25519Pair();
const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });

describe("FLOWZONE_CONTROL_SIGNING_KEY and FLOWZONE_CONTROL_VERIFY_KEYS", () => {
  it("are inert when unset", () => {
    expect(readSettings(settings, { env: {} })).toEqual({ signingKey: undefined, verifyKeys: undefined });
  });

  it("read a signing key and verify keys from several files, a file holding several keys", () => {
    const signing = fileWith("signing.pem", first.privatePem);
    const one = fileWith("one.pem", first.publicPem);
    const bundle = fileWith("bundle.pem", `${second.publicPem}\n${first.publicPem}`);
    const { signingKey, verifyKeys } = readSettings(settings, { env: { FLOWZONE_CONTROL_SIGNING_KEY: signing, FLOWZONE_CONTROL_VERIFY_KEYS: `${one}, ${bundle}` } });
    if (signingKey === undefined || verifyKeys === undefined) throw new Error("both settings were given");
    expect(signingKey.keyId).toBe(controlKeyId(createPublicKey(first.publicPem)));
    expect([...verifyKeys.keys()].sort()).toEqual([signingKey.keyId, controlKeyId(createPublicKey(second.publicPem))].sort());
    const record = { topic: "t", key: Buffer.from("bundle"), value: Buffer.from("v") };
    expect(verifyControlRecord(verifyKeys, record, signControlRecord(signingKey, record)).ok).toBe(true);
  });

  it.each([
    ["a missing file", "FLOWZONE_CONTROL_SIGNING_KEY", () => path.join(dir, "absent.pem"), /FLOWZONE_CONTROL_SIGNING_KEY: ".*absent\.pem" .*absent\.pem cannot be read/],
    ["a public key as the signing key", "FLOWZONE_CONTROL_SIGNING_KEY", () => fileWith("public-as-private.pem", first.publicPem), /public-as-private\.pem must hold one PEM private key .* found PUBLIC KEY/],
    ["two private keys", "FLOWZONE_CONTROL_SIGNING_KEY", () => fileWith("two.pem", first.privatePem + second.privatePem), /two\.pem must hold one PEM private key/],
    ["an RSA signing key", "FLOWZONE_CONTROL_SIGNING_KEY", () => fileWith("rsa.pem", rsa.privateKey.export({ type: "pkcs8", format: "pem" }).toString()), /rsa\.pem is a rsa key; control records are signed with Ed25519/],
    ["a file without PEM", "FLOWZONE_CONTROL_VERIFY_KEYS", () => fileWith("empty.pem", "not a key\n"), /empty\.pem must hold one or more PEM public keys .* found no PEM block/],
    ["a private key among verify keys", "FLOWZONE_CONTROL_VERIFY_KEYS", () => fileWith("private.pem", first.publicPem + first.privatePem), /private\.pem must hold one or more PEM public keys .* found PUBLIC KEY, PRIVATE KEY/],
    ["an RSA verify key", "FLOWZONE_CONTROL_VERIFY_KEYS", () => fileWith("rsa-public.pem", first.publicPem + rsa.publicKey.export({ type: "spki", format: "pem" }).toString()), /rsa-public\.pem: public key 2 is a rsa key/],
    ["a broken PEM block", "FLOWZONE_CONTROL_VERIFY_KEYS", () => fileWith("broken.pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"), /broken\.pem: public key 1 cannot be read/],
    ["an empty list entry", "FLOWZONE_CONTROL_VERIFY_KEYS", () => `${fileWith("fine.pem", first.publicPem)},`, /without empty entries/],
  ])("refuse %s at start-up, naming the file", (_, env, file, message) => {
    expect(() => readSettings(settings, { env: { [env]: file() } })).toThrow(message);
  });
});
