import { invalidField } from "./invalid-field";

/**
 * Refuses a query parameter outside `allowed`, or given twice, by name: a typo such as `?limt=`
 * must not silently answer the default.
 */
export function checkQueryKeys(query: URLSearchParams, allowed: readonly string[]): void {
  for (const key of new Set(query.keys())) {
    if (!allowed.includes(key)) throw invalidField(key, `unknown query parameter "${key}"; expected ${allowed.map((k) => `"${k}"`).join(", ")}`);
    if (query.getAll(key).length > 1) throw invalidField(key, `"${key}" is given more than once`);
  }
}
