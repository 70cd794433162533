import { readControlVerifyKeys, type ControlVerifyKeys } from "@flowzone/kafka";

/**
 * The `decider.controlVerifyKeys` option (comma-separated PEM files, as `FLOWZONE_CONTROL_VERIFY_KEYS`)
 * read into keys: undefined for "" (every control record applies); a file that cannot be read or
 * holds no Ed25519 public key is a `RangeError` naming the option.
 */
export function controlVerifyKeysOption(files: string): ControlVerifyKeys | undefined {
  if (files === "") return undefined;
  try {
    return readControlVerifyKeys(files);
  } catch (error) {
    throw new RangeError(`guarded producer: decider.controlVerifyKeys: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
