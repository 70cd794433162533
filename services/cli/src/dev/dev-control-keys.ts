import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { readControlSigningKey, readControlVerifyKeys, type ControlSigningKey, type ControlVerifyKeys } from "@flowzone/kafka";

/** The control-record key pair of `flowzone dev` and where it lies. */
export interface DevControlKeys {
  readonly signingKey: ControlSigningKey;
  readonly verifyKeys: ControlVerifyKeys;
  /** The PEM files, as FLOWZONE_CONTROL_SIGNING_KEY and FLOWZONE_CONTROL_VERIFY_KEYS would name them. */
  readonly signingKeyFile: string;
  readonly verifyKeyFile: string;
}

/**
 * The Ed25519 key pair `flowzone dev` signs and verifies control records with, so the local
 * stack is signed end to end: made once under `<home>/control-keys` (the private key readable by
 * its owner only) and kept, because the local broker keeps the control topic across restarts and
 * its records, signed by this key, must still verify on the next start. Read back through the
 * same readers as the settings, so dev exercises them.
 */
export function devControlKeys(home: string, onProgress: (line: string) => void): DevControlKeys {
  const dir = path.join(home, "control-keys");
  const signingKeyFile = path.join(dir, "signing-key.pem");
  const verifyKeyFile = path.join(dir, "verify-key.pem");
  if (!existsSync(signingKeyFile) || !existsSync(verifyKeyFile)) {
    onProgress(`making the control-record signing key in ${dir}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    writeFileSync(signingKeyFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    writeFileSync(verifyKeyFile, publicKey.export({ type: "spki", format: "pem" }));
  }
  return { signingKey: readControlSigningKey(signingKeyFile), verifyKeys: readControlVerifyKeys(verifyKeyFile), signingKeyFile, verifyKeyFile };
}
