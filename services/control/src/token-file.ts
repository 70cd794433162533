import { readFile } from "node:fs/promises";
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Node, YAMLMap } from "yaml";
import { ROLES } from "./api-token";
import type { ApiToken, Role } from "./api-token";
import { TokenFileError } from "./token-file-error";

/** Tokens shorter than this are guessable; the file is refused rather than the risk taken. */
export const MIN_TOKEN_LENGTH = 16;

const ENTRY_KEYS: ReadonlySet<string> = new Set(["token", "subject", "role"]);

/**
 * Reads the token file named by `FLOWZONE_TOKENS`.
 * @throws TokenFileError with every problem as `file:line: message`, or naming the file when it
 *   cannot be read.
 */
export async function loadTokenFile(file: string): Promise<ApiToken[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TokenFileError(file, [`${file}:0: cannot read the token file: ${reason}`]);
  }
  return parseTokenFile(text, file);
}

/**
 * Parses `tokens: [{token, subject, role}]` strictly, all or nothing, like a policy bundle:
 * unknown keys, missing or empty fields, unknown roles, short or duplicate tokens are each
 * reported with their line, so an operator fixes the file in one pass.
 *
 * @throws TokenFileError listing every problem.
 */
export function parseTokenFile(text: string, file: string): ApiToken[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, version: "1.2", uniqueKeys: true });
  const errors: string[] = [];
  const report = (node: Node | null | undefined, message: string): void => {
    const offset = node?.range?.[0];
    errors.push(`${file}:${offset === undefined ? 1 : lineCounter.linePos(offset).line}: ${message}`);
  };
  for (const error of doc.errors) {
    errors.push(`${file}:${error.linePos?.[0].line ?? 1}: ${error.message.split("\n")[0] ?? "invalid YAML"}`);
  }
  if (errors.length > 0) throw new TokenFileError(file, errors);

  const tokens: ApiToken[] = [];
  const root = doc.contents;
  if (!isMap(root)) {
    report(root, 'expected a mapping with a "tokens" list: tokens: [{token, subject, role}]');
    throw new TokenFileError(file, errors);
  }
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (key !== "tokens") report(pair.key, `unknown key "${key}"; the file has one key, "tokens"`);
  }
  const list = root.get("tokens", true);
  if (!isSeq(list)) {
    report(list ?? root, '"tokens" must be a list of {token, subject, role}');
  } else if (list.items.length === 0) {
    report(list, '"tokens" is empty, so no one could call the API; list at least one token');
  } else {
    const seen = new Set<string>();
    for (const item of list.items) {
      if (!isMap(item)) {
        report(item as Node, "each token must be a mapping {token, subject, role}");
        continue;
      }
      const entry = parseEntry(item, report);
      if (entry === undefined) continue;
      if (seen.has(entry.token)) report(item.get("token", true), `duplicate token (subject "${entry.subject}"); every token must be unique`);
      seen.add(entry.token);
      tokens.push(entry);
    }
  }
  if (errors.length > 0) throw new TokenFileError(file, errors);
  return tokens;
}

function parseEntry(item: YAMLMap, report: (node: Node | null | undefined, message: string) => void): ApiToken | undefined {
  let ok = true;
  for (const pair of item.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (!ENTRY_KEYS.has(key)) {
      report(pair.key as Node, `unknown key "${key}"; a token has token, subject and role`);
      ok = false;
    }
  }
  const text = (name: string): string | undefined => {
    const node = item.get(name, true);
    if (node === undefined) {
      report(item, `missing "${name}"`);
      return undefined;
    }
    if (!isScalar(node) || typeof node.value !== "string" || node.value.trim() === "") {
      report(node, `"${name}" must be a non-empty string`);
      return undefined;
    }
    return node.value;
  };
  const token = text("token");
  const subject = text("subject");
  const role = text("role");
  if (token !== undefined && (token.length < MIN_TOKEN_LENGTH || /\s/.test(token))) {
    report(item.get("token", true), `token of subject "${subject ?? "?"}" must be at least ${MIN_TOKEN_LENGTH} characters without spaces`);
    ok = false;
  }
  if (role !== undefined && !isRole(role)) {
    report(item.get("role", true), `unknown role "${role}"; use ${ROLES.join(" or ")}`);
    ok = false;
  }
  if (!ok || token === undefined || subject === undefined || role === undefined || !isRole(role)) return undefined;
  return { token, subject, role };
}

function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
