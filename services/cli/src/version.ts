import { readFileSync } from "node:fs";
import * as path from "node:path";

/**
 * The CLI's version, from its package.json, read when asked (not at import). The file sits one
 * level above both `src/` and `dist/`, so this works from sources and from the build.
 */
export function cliVersion(): string {
  const manifest = path.join(__dirname, "..", "package.json");
  const parsed = JSON.parse(readFileSync(manifest, "utf8")) as { version?: unknown };
  return typeof parsed.version === "string" ? parsed.version : "unknown";
}
