/**
 * Asset ids (`<system>:<name>`) and asset-id patterns (`*` globs within an id).
 * One place decides what is well formed, so the loader, the write validator and
 * the compiled matchers can never disagree.
 */

import { compileGlob, matchesGlob } from "./glob";
import type { Glob } from "./glob";

const ASSET_PATTERN = /^[a-z*][a-z0-9_*-]*:[A-Za-z0-9._/*-]+$/;

/**
 * True when `text` is a well-formed asset id such as `kafka:orders`: system `[a-z][a-z0-9_-]*`,
 * a colon, name `[A-Za-z0-9._/-]+`. Every write's producer is checked, so this is a hand-written
 * scan rather than a RegExp (several times faster on the hot path).
 */
export function isAssetId(text: string): boolean {
  const length = text.length;
  let i = 0;
  let code = length > 0 ? text.charCodeAt(0) : 0;
  if (code < 0x61 || code > 0x7a) return false; // a-z
  for (i = 1; i < length; i++) {
    code = text.charCodeAt(i);
    if (code === 0x3a) break; // ':'
    if (!((code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x5f || code === 0x2d)) return false;
  }
  if (i >= length - 1) return false; // no colon, or nothing after it
  for (i++; i < length; i++) {
    code = text.charCodeAt(i);
    const alphanumeric = (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39);
    if (!alphanumeric && code !== 0x2e && code !== 0x5f && code !== 0x2f && code !== 0x2d) return false; // . _ / -
  }
  return true;
}

/**
 * True when `text` is a well-formed asset-id pattern such as `kafka:banana-*` or `svc:*`.
 * Members, deny lists and exceptions name sinks by pattern, so a typo must fail loading.
 */
export function isAssetPattern(text: string): boolean {
  return ASSET_PATTERN.test(text);
}

/** True when `text` contains a glob; exact patterns are matched with a Set. */
export function isGlob(text: string): boolean {
  return text.includes("*");
}

/** A matcher over several patterns: one Set for exact ids plus the compiled globs. */
export interface PatternMatcher {
  readonly exact: ReadonlySet<string>;
  readonly globs: readonly Glob[];
}

/**
 * Compiles patterns into a {@link PatternMatcher}, so matching a sink against a whole member or
 * deny list costs one Set lookup plus one linear-time scan per glob (no regular expression, so
 * no backtracking on a long sink).
 */
export function compilePatterns(patterns: readonly string[]): PatternMatcher {
  const exact = new Set<string>();
  const globs: Glob[] = [];
  for (const pattern of patterns) {
    if (isGlob(pattern)) globs.push(compileGlob(pattern));
    else exact.add(pattern);
  }
  return { exact, globs };
}

/** True when `id` matches one of the matcher's patterns. */
export function matchesAny(matcher: PatternMatcher, id: string): boolean {
  if (matcher.exact.has(id)) return true;
  const globs = matcher.globs;
  for (let i = 0; i < globs.length; i++) if (matchesGlob(globs[i] as Glob, id)) return true;
  return false;
}

/** True when `pattern` covers `id`. */
export function matchesPattern(pattern: string, id: string): boolean {
  return isGlob(pattern) ? matchesGlob(compileGlob(pattern), id) : pattern === id;
}

/** The first of `patterns` that covers `id`, to name it in a reason; undefined when none does. */
export function firstMatch(patterns: readonly string[], id: string): string | undefined {
  return patterns.find((pattern) => matchesPattern(pattern, id));
}
