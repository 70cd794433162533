import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

import { isAssetId, isAssetPattern } from "@flowzone/engine";
import { FlowzoneError } from "@flowzone/errors";
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Node, YAMLMap } from "yaml";

import type { CertificateField, CertificateMapping, IdentityConfig, TokenEntry } from "./identity-config";

/** Tokens shorter than this are guessable; the file is refused rather than the risk taken. */
export const MIN_TOKEN_LENGTH = 16;

const TOP_KEYS = ["trustDomains", "certificates", "tokens", "speaksFor"] as const;
const CERTIFICATE_FIELDS: readonly CertificateField[] = ["uri", "dns", "email", "commonName"];
const SHA256_HEX = /^[0-9a-f]{64}$/;
const TRUST_DOMAIN = /^[a-z0-9._-]+$/;

type Report = (node: Node | null | undefined, message: string) => void;

/**
 * Reads the identities file named by `FLOWZONE_IDENTITIES`, at start and on every change (a
 * small file, read synchronously so a poll's reads never overlap).
 *
 * @throws FlowzoneError `invalid_config` listing every problem as `file:line: message`, or naming
 *   the file when it cannot be read.
 */
export function readIdentityFile(file: string): IdentityConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalid(file, [`${file}:0: cannot read the identities file: ${reason}`]);
  }
  return parseIdentityFile(text, file);
}

/**
 * Parses the identities file strictly, all or nothing, like a policy bundle: an unknown key, a
 * malformed asset id or pattern, a short or duplicate token, a bad digest are each reported with
 * their line, so an operator fixes the file in one pass and the service never runs on a partly
 * understood list of who may speak for whom. Plain tokens are hashed here and never kept.
 *
 * @throws FlowzoneError `invalid_config` listing every problem.
 */
export function parseIdentityFile(text: string, file: string): IdentityConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, version: "1.2", uniqueKeys: true });
  const errors: string[] = [];
  const report: Report = (node, message) => {
    const offset = node?.range?.[0];
    errors.push(`${file}:${offset === undefined ? 1 : lineCounter.linePos(offset).line}: ${message}`);
  };
  for (const error of doc.errors) errors.push(`${file}:${error.linePos?.[0].line ?? 1}: ${error.message.split("\n")[0] ?? "invalid YAML"}`);
  if (errors.length > 0) throw invalid(file, errors);

  const root = doc.contents;
  if (!isMap(root)) {
    report(root, `expected a mapping with any of ${TOP_KEYS.join(", ")}`);
    throw invalid(file, errors);
  }
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (!(TOP_KEYS as readonly string[]).includes(key)) report(pair.key, `unknown key "${key}"; the file has ${TOP_KEYS.join(", ")}`);
  }
  const config: IdentityConfig = {
    trustDomains: trustDomainsOf(root, report),
    certificates: listOf(root, "certificates", report, certificateOf),
    tokens: tokensOf(root, report),
    speaksFor: speaksForOf(root, report),
  };
  if (errors.length > 0) throw invalid(file, errors);
  return config;
}

function invalid(file: string, errors: readonly string[]): FlowzoneError {
  return new FlowzoneError("invalid_config", `invalid identities file ${file} (${errors.length} ${errors.length === 1 ? "error" : "errors"}):\n${errors.join("\n")}`);
}

/** A non-empty string scalar, or undefined after reporting what is wrong. */
function textOf(node: unknown, what: string, report: Report): string | undefined {
  if (!isScalar(node) || typeof node.value !== "string" || node.value.trim() === "") {
    report(node as Node | undefined, `${what} must be a non-empty string`);
    return undefined;
  }
  return node.value;
}

function identityOf(node: unknown, what: string, report: Report): string | undefined {
  const identity = textOf(node, what, report);
  if (identity !== undefined && !isAssetId(identity)) {
    report(node as Node, `${what} "${identity}" is not a well-formed asset id (<kind>:<name>, e.g. svc:orders-enricher)`);
    return undefined;
  }
  return identity;
}

function trustDomainsOf(root: YAMLMap, report: Report): string[] | undefined {
  if (!root.has("trustDomains")) return undefined;
  const list = root.get("trustDomains", true);
  if (!isSeq(list) || list.items.length === 0) {
    report((list) ?? root, '"trustDomains" must be a non-empty list of SPIFFE trust domains, e.g. [example.org]');
    return undefined;
  }
  const domains: string[] = [];
  for (const item of list.items) {
    const domain = textOf(item, "a trust domain", report);
    if (domain === undefined) continue;
    if (TRUST_DOMAIN.test(domain)) domains.push(domain);
    else report(item as Node, `trust domain "${domain}" is not one (lower-case letters, digits, dots, dashes, underscores; no scheme or path)`);
  }
  return domains;
}

/** Parses `key`'s list, each mapping item through `parse`; an absent key is an empty list. */
function listOf<T>(root: YAMLMap, key: string, report: Report, parse: (item: YAMLMap, report: Report) => T | undefined): T[] {
  if (!root.has(key)) return [];
  const list = root.get(key, true);
  if (!isSeq(list)) {
    report((list) ?? root, `"${key}" must be a list`);
    return [];
  }
  const parsed: T[] = [];
  for (const item of list.items) {
    if (!isMap(item)) {
      report(item as Node, `each entry of "${key}" must be a mapping`);
      continue;
    }
    const entry = parse(item, report);
    if (entry !== undefined) parsed.push(entry);
  }
  return parsed;
}

function unknownKeys(item: YAMLMap, allowed: readonly string[], what: string, report: Report): boolean {
  let ok = true;
  for (const pair of item.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (!allowed.includes(key)) {
      report(pair.key as Node, `unknown key "${key}"; ${what}`);
      ok = false;
    }
  }
  return ok;
}

function certificateOf(item: YAMLMap, report: Report): CertificateMapping | undefined {
  const what = `a certificate mapping has identity and one of ${CERTIFICATE_FIELDS.join(", ")}`;
  const ok = unknownKeys(item, ["identity", ...CERTIFICATE_FIELDS], what, report);
  const fields = CERTIFICATE_FIELDS.filter((field) => item.has(field));
  if (fields.length !== 1) {
    report(item, fields.length === 0 ? `missing the certificate field: ${what}` : `${fields.join(" and ")} in one mapping: ${what}`);
    return undefined;
  }
  const field = fields[0] as CertificateField;
  const value = textOf(item.get(field, true), `"${field}"`, report);
  const identity = item.has("identity") ? identityOf(item.get("identity", true), '"identity"', report) : (report(item, 'missing "identity"'), undefined);
  return ok && value !== undefined && identity !== undefined ? { field, value, identity } : undefined;
}

function tokensOf(root: YAMLMap, report: Report): TokenEntry[] {
  const tokens = listOf(root, "tokens", report, tokenOf);
  const seen = new Map<string, string>();
  for (const token of tokens) {
    const digest = token.entry.sha256.toString("hex");
    const first = seen.get(digest);
    if (first !== undefined) report(token.node, `duplicate token (identities ${first} and ${token.entry.identity}); every token must be unique`);
    seen.set(digest, token.entry.identity);
  }
  return tokens.map((token) => token.entry);
}

function tokenOf(item: YAMLMap, report: Report): { entry: TokenEntry; node: Node } | undefined {
  const what = "a token has identity and either token (the secret) or sha256 (its hex SHA-256 digest)";
  const ok = unknownKeys(item, ["identity", "token", "sha256"], what, report);
  const identity = item.has("identity") ? identityOf(item.get("identity", true), '"identity"', report) : (report(item, 'missing "identity"'), undefined);
  if (item.has("token") === item.has("sha256")) {
    report(item, item.has("token") ? `token and sha256 in one entry: ${what}` : `missing the secret: ${what}`);
    return undefined;
  }
  let sha256: Buffer | undefined;
  if (item.has("token")) {
    const node = item.get("token", true);
    const token = textOf(node, '"token"', report);
    if (token !== undefined && (token.length < MIN_TOKEN_LENGTH || /\s/.test(token))) {
      report(node, `token of ${identity ?? "?"} must be at least ${MIN_TOKEN_LENGTH} characters without spaces`);
    } else if (token !== undefined) {
      sha256 = createHash("sha256").update(token, "utf8").digest();
    }
  } else {
    const node = item.get("sha256", true);
    const hex = textOf(node, '"sha256"', report);
    if (hex !== undefined && !SHA256_HEX.test(hex)) report(node, `sha256 of ${identity ?? "?"} must be 64 lower-case hex digits (printf %s "$TOKEN" | sha256sum)`);
    else if (hex !== undefined) sha256 = Buffer.from(hex, "hex");
  }
  return ok && identity !== undefined && sha256 !== undefined ? { entry: { identity, sha256 }, node: item } : undefined;
}

function speaksForOf(root: YAMLMap, report: Report): Map<string, string[]> {
  const grants = new Map<string, string[]>();
  if (!root.has("speaksFor")) return grants;
  const map = root.get("speaksFor", true);
  if (!isMap(map)) {
    report((map) ?? root, '"speaksFor" must map identities to lists of producer patterns, e.g. svc:gateway: ["svc:web-*"]');
    return grants;
  }
  for (const pair of map.items) {
    const identity = identityOf(pair.key, "a speaksFor key", report);
    const list = pair.value;
    if (!isSeq(list) || list.items.length === 0) {
      report((list as Node | null) ?? (pair.key as Node), `speaksFor of ${identity ?? "?"} must be a non-empty list of producer patterns ("*" for any producer)`);
      continue;
    }
    const patterns: string[] = [];
    for (const item of list.items) {
      const pattern = textOf(item, "a producer pattern", report);
      if (pattern === undefined) continue;
      if (pattern === "*" || isAssetPattern(pattern)) patterns.push(pattern);
      else report(item as Node, `producer pattern "${pattern}" of ${identity ?? "?"} is not an asset id or pattern (svc:orders, svc:web-*, or * for any producer)`);
    }
    if (identity !== undefined) grants.set(identity, patterns);
  }
  return grants;
}
