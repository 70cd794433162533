import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";

import { controlKeyId, type ControlSigningKey, type ControlVerifyKeys } from "./control-signature";
import { errorMessage } from "./error-message";

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * Reads the control plane's signing key: a PEM file holding one unencrypted Ed25519 private key
 * (`openssl genpkey -algorithm ed25519`).
 *
 * @throws Error naming the file and what is wrong with it.
 */
export function readControlSigningKey(file: string): ControlSigningKey {
  const blocks = pemBlocks(file);
  if (blocks.length !== 1 || blocks[0]?.label !== "PRIVATE KEY") {
    throw new Error(`${file} must hold one PEM private key (-----BEGIN PRIVATE KEY-----, unencrypted), found ${describe(blocks)}`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(blocks[0].pem);
  } catch (error) {
    throw new Error(`${file} holds no readable private key: ${errorMessage(error)}`);
  }
  requireEd25519(file, privateKey);
  return { keyId: controlKeyId(privateKey), privateKey };
}

/**
 * Reads the public keys followers verify control records with: a comma-separated list of PEM
 * files, each holding one or more `PUBLIC KEY` blocks, all Ed25519. Several keys at once let the
 * control plane's key rotate: followers take the new key beside the old before the control plane
 * signs with it, and drop the old once every record on the topic is signed anew.
 *
 * @throws Error naming the file and what is wrong with it.
 */
export function readControlVerifyKeys(list: string): ControlVerifyKeys {
  const files = list.split(",").map((file) => file.trim());
  if (files.some((file) => file === "")) throw new Error("must be a comma-separated list of PEM files without empty entries");
  const keys = new Map<string, KeyObject>();
  for (const file of files) {
    const blocks = pemBlocks(file);
    if (blocks.length === 0 || blocks.some((block) => block.label !== "PUBLIC KEY")) {
      throw new Error(`${file} must hold one or more PEM public keys (-----BEGIN PUBLIC KEY-----), found ${describe(blocks)}`);
    }
    blocks.forEach((block, index) => {
      let publicKey: KeyObject;
      try {
        publicKey = createPublicKey(block.pem);
      } catch (error) {
        throw new Error(`${file}: public key ${index + 1} cannot be read: ${errorMessage(error)}`);
      }
      requireEd25519(`${file}: public key ${index + 1}`, publicKey);
      keys.set(controlKeyId(publicKey), publicKey);
    });
  }
  return keys;
}

function pemBlocks(file: string): { readonly label: string; readonly pem: string }[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`${file} cannot be read: ${errorMessage(error)}`);
  }
  return [...text.matchAll(PEM_BLOCK)].map((match) => ({ label: match[1] ?? "", pem: match[0] }));
}

function describe(blocks: readonly { readonly label: string }[]): string {
  return blocks.length === 0 ? "no PEM block" : blocks.map((block) => block.label).join(", ");
}

function requireEd25519(what: string, key: KeyObject): void {
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`${what} is a ${key.asymmetricKeyType ?? "unknown"} key; control records are signed with Ed25519`);
}
