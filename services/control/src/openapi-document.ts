import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The HTTP API's OpenAPI 3.1 document, `openapi.json` at the package root: one level above both
 * `src/` and `dist/`, so the sources under test and the built package read the same file, and it
 * ships with the package. docs/reference/http-api.md points to it; the control-api tests validate
 * real responses against it.
 */
export const OPENAPI_DOCUMENT_PATH = join(__dirname, "..", "openapi.json");

/**
 * Reads the document once, at start-up, and returns it as compact JSON text to serve at
 * `GET /v1/openapi.json`. Throws when the file is missing or is not JSON, so a broken package
 * fails at start rather than on the first request.
 */
export function loadOpenApiDocument(path: string = OPENAPI_DOCUMENT_PATH): string {
  const document: unknown = JSON.parse(readFileSync(path, "utf8"));
  return JSON.stringify(document);
}
