import { parseBundle } from "@flowzone/engine";

/**
 * True when `pattern` is an asset-id pattern the engine accepts (`kafka:banana-*`, `svc:*`).
 * The engine does not export its pattern check, so this asks the engine's own loader about a
 * one-zone probe bundle: an exception can then never hold a pattern a policy file could not.
 */
export function isValidAssetPattern(pattern: string): boolean {
  if (pattern.trim() !== pattern || pattern === "") return false;
  const content = [
    "kind: Label",
    "name: probe",
    "---",
    "kind: Zone",
    "name: probe",
    "protects: [probe]",
    `members: [${JSON.stringify(pattern)}]`,
    "",
  ].join("\n");
  return parseBundle([{ path: "probe.yaml", content }]).ok;
}
