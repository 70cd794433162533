import type { BundleError } from "./types";

/** Formats a loading error as `file:line: message`, the shape editors and CI logs link to. */
export function formatBundleError(error: BundleError): string {
  return `${error.file}:${error.line}: ${error.message}`;
}
