/**
 * The message of anything caught. Node's fs errors are checked by shape, not `instanceof Error`:
 * under jest they come from another realm.
 */
export function errorMessage(error: unknown): string {
  return typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error);
}
