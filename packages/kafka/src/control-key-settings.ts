import { parsed, type Setting } from "@flowzone/service-kit";

import { readControlSigningKey, readControlVerifyKeys } from "./control-keys";
import type { ControlSigningKey, ControlVerifyKeys } from "./control-signature";

/**
 * `FLOWZONE_CONTROL_SIGNING_KEY`: the control plane signs every control record it publishes with
 * this Ed25519 key. Read once at start-up, so a bad file stops the command naming it.
 */
export const CONTROL_SIGNING_KEY_SETTING: Setting<ControlSigningKey | undefined> = parsed({
  env: "FLOWZONE_CONTROL_SIGNING_KEY",
  description: "PEM file with the Ed25519 private key the control plane signs control records with; unset, records are published unsigned.",
  parse: readControlSigningKey,
});

/**
 * `FLOWZONE_CONTROL_VERIFY_KEYS`: with it a follower of the control topic applies only records
 * signed by one of these keys and reports the others; without it, every record applies.
 */
export const CONTROL_VERIFY_KEYS_SETTING: Setting<ControlVerifyKeys | undefined> = parsed({
  env: "FLOWZONE_CONTROL_VERIFY_KEYS",
  description: "Comma-separated PEM files of Ed25519 public keys (several blocks per file allowed); set, only control records signed by one of them apply.",
  parse: readControlVerifyKeys,
});
