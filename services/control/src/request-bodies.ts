/**
 * Validation of request bodies and queries, shared by HTTP (parsed JSON) and gRPC (messages
 * converted to the same shape), so both transports refuse the same input with the same
 * sentence naming the same field. Unknown fields are refused too: a typo such as `expires_at`
 * must not silently grant an exception that never expires as intended.
 */
import type { ExceptionRequest, FlipRequest, ViolationQuery, WhatIfRequest } from "@flowzone/control";
import { parseDurationMs, type Mode } from "@flowzone/engine";
import { FlowzoneError } from "@flowzone/errors";
import { invalidField } from "./invalid-field";
import type { RedriveRequest } from "./quarantine-redrive";
import { parseRfc3339 } from "./rfc3339";

const MODES: readonly Mode[] = ["enforcement", "logging", "off"];
const STATUSES: readonly ViolationQuery["status"][] = ["open", "resolved", "all"];

/** `GET .../violations` without `limit` lists this many; at most {@link MAX_VIOLATION_LIMIT}. */
export const DEFAULT_VIOLATION_LIMIT = 100;
export const MAX_VIOLATION_LIMIT = 1000;

/** `POST /v1/zones/{zone}/flip` `{"to", "reason", "force"}`. */
export function parseFlipBody(body: unknown): FlipRequest {
  const fields = objectOf(body, ["to", "reason", "force"]);
  const to = fields["to"];
  if (to === undefined) throw invalidField("to", `"to" is required: one of ${MODES.join(", ")}`);
  if (typeof to !== "string" || !(MODES as readonly string[]).includes(to)) {
    throw invalidField("to", `"to" must be one of ${MODES.join(", ")}, not ${JSON.stringify(to)}`);
  }
  const reason = requiredText(fields, "reason", "say why the zone changes mode; it is recorded in the zone's history");
  const force = fields["force"] ?? false;
  if (typeof force !== "boolean") throw invalidField("force", '"force" must be true or false');
  return { to: to as Mode, reason, force };
}

/** `POST /v1/zones/{zone}/exceptions` `{"producer", "sink", "justification", "expiresAt"}`. */
export function parseExceptionBody(body: unknown, now: Date): ExceptionRequest {
  const fields = objectOf(body, ["producer", "sink", "justification", "expiresAt"]);
  const producer = requiredText(fields, "producer", "an asset-id pattern such as svc:banana-*");
  const sink = requiredText(fields, "sink", "an asset-id pattern such as kafka:export-*");
  const justification = requiredText(fields, "justification", "say why the flow is allowed; auditors read it");
  const raw = fields["expiresAt"];
  if (raw === undefined) throw invalidField("expiresAt", '"expiresAt" is required: an RFC 3339 time such as 2030-01-31T12:00:00Z');
  const expiresAt = typeof raw === "string" ? parseRfc3339(raw) : undefined;
  if (expiresAt === undefined) {
    throw invalidField("expiresAt", `"expiresAt" must be an RFC 3339 time such as 2030-01-31T12:00:00Z, not ${JSON.stringify(raw)}`);
  }
  if (expiresAt.getTime() <= now.getTime()) {
    throw invalidField("expiresAt", `"expiresAt" ${JSON.stringify(raw)} is in the past; an exception must expire in the future`);
  }
  return { producer, sink, justification, expiresAt };
}

/** `POST /v1/violations/{id}/fixed` `{"note"}`; the note is optional, an empty body is fine. */
export function parseFixedBody(body: unknown): { readonly note: string } {
  if (body === undefined) return { note: "" };
  const fields = objectOf(body, ["note"]);
  const note = fields["note"] ?? "";
  if (typeof note !== "string") throw invalidField("note", '"note" must be a string');
  return { note };
}

/** `PUT /v1/policy` `{"files": {"relative/path.yaml": "content"}}`. */
export function parsePolicyBody(body: unknown): Record<string, string> {
  const fields = objectOf(body, ["files"]);
  const files = fields["files"];
  if (files === null || typeof files !== "object" || Array.isArray(files)) {
    throw invalidField("files", '"files" is required: an object of relative path to file content');
  }
  const entries = Object.entries(files as Record<string, unknown>);
  if (entries.length === 0) throw invalidField("files", '"files" is empty; a bundle needs at least one YAML file');
  // No prototype: `result["__proto__"] = content` on a plain object sets nothing, dropping that file.
  const result = Object.create(null) as Record<string, string>;
  for (const [path, content] of entries) {
    if (path === "" || path.startsWith("/") || path.includes("\\") || path.split("/").includes("..")) {
      throw invalidField("files", `file path ${JSON.stringify(path)} must be relative to the bundle, without ".."`);
    }
    if (typeof content !== "string") throw invalidField("files", `the content of ${JSON.stringify(path)} must be a string`);
    result[path] = content;
  }
  return result;
}

/** The window of `POST /v1/policy/whatif` when `since` is left out. */
export const DEFAULT_WHAT_IF_SINCE = "7d";

/**
 * `POST /v1/policy/whatif` `{"files": {...}, "since"}` or `{"flip": {"zone", "to"}, "since"}`:
 * exactly one candidate, so a body that says both is refused rather than one silently ignored.
 */
export function parseWhatIfBody(body: unknown): WhatIfRequest {
  const fields = objectOf(body, ["files", "flip", "since"]);
  const since = fields["since"] ?? DEFAULT_WHAT_IF_SINCE;
  const windowMs = typeof since === "string" ? parseDurationMs(since) : undefined;
  if (windowMs === undefined || windowMs <= 0) {
    throw invalidField("since", `"since" must be a positive duration such as 7d, 24h or 90m, not ${JSON.stringify(since)}`);
  }
  const hasFiles = fields["files"] !== undefined;
  const hasFlip = fields["flip"] !== undefined;
  if (hasFiles && hasFlip) throw invalidField("flip", 'give "files" or "flip", not both: one candidate per request');
  if (hasFiles) return { candidate: { files: parsePolicyBody({ files: fields["files"] }) }, windowMs };
  if (!hasFlip) throw invalidField("files", '"files" (a candidate bundle) or "flip" ({"zone", "to"}) is required');
  // Errors inside "flip" name "flip" as the field, as errors inside "files" name "files".
  const flip = fields["flip"];
  if (flip === null || typeof flip !== "object" || Array.isArray(flip)) throw invalidField("flip", '"flip" must be an object with "zone" and "to"');
  for (const key of Object.keys(flip)) {
    if (key !== "zone" && key !== "to") throw invalidField("flip", `unknown field "flip.${key}"; expected "zone", "to"`);
  }
  const { zone, to } = flip as Record<string, unknown>;
  if (typeof zone !== "string" || zone.trim() === "") throw invalidField("flip", '"flip.zone" is required: the name of the zone to flip');
  if (typeof to !== "string" || !(MODES as readonly string[]).includes(to)) {
    throw invalidField("flip", `"flip.to" must be one of ${MODES.join(", ")}, not ${JSON.stringify(to)}`);
  }
  return { candidate: { flip: { zone, to: to as Mode } }, windowMs };
}

/** `?status=open|resolved|all&limit=N` as strings (undefined when absent). */
export function parseViolationQuery(status: string | undefined, limit: string | undefined): ViolationQuery {
  const chosen = status ?? "all";
  if (!(STATUSES as readonly string[]).includes(chosen)) {
    throw invalidField("status", `"status" must be one of ${STATUSES.join(", ")}, not ${JSON.stringify(chosen)}`);
  }
  return { status: chosen as ViolationQuery["status"], limit: parseLimit(limit, DEFAULT_VIOLATION_LIMIT, MAX_VIOLATION_LIMIT) };
}

/** A listing's `?limit=N` (undefined when absent: `fallback`), a whole number from 1 to `max`. */
export function parseLimit(limit: string | undefined, fallback: number, max: number): number {
  return parseWhole("limit", limit, fallback, max);
}

/** A query parameter `name` that counts something (undefined when absent: `fallback`), a whole number from 1 to `max`. */
export function parseWhole(name: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const count = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(count) || count < 1 || count > max) {
    throw invalidField(name, `"${name}" must be an integer from 1 to ${max}, not ${JSON.stringify(text)}`);
  }
  return count;
}

/** `POST /v1/routes/{route}/redrive` `{"violation"}` or `{"since"}` or neither; an empty body re-drives everything. */
export function parseRedriveBody(body: unknown): RedriveRequest {
  if (body === undefined) return {};
  const fields = objectOf(body, ["violation", "since"]);
  const { violation, since } = fields;
  if (violation !== undefined && since !== undefined) throw invalidField("since", 'give "violation" or "since", not both');
  if (violation !== undefined) {
    if (typeof violation !== "string" || !/^[0-9a-f]{32}$/.test(violation)) {
      throw invalidField("violation", `"violation" must be a violation id (32 hex digits, as flowzone violations lists them), not ${JSON.stringify(violation)}`);
    }
    return { violation };
  }
  if (since === undefined) return {};
  const time = typeof since === "string" ? parseRfc3339(since) : undefined;
  if (time === undefined) throw invalidField("since", `"since" must be an RFC 3339 time such as 2030-01-31T12:00:00Z, not ${JSON.stringify(since)}`);
  return { since: time };
}

function objectOf(body: unknown, allowed: readonly string[]): Readonly<Record<string, unknown>> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new FlowzoneError("invalid_argument", `the request body must be a JSON object with ${allowed.map((k) => `"${k}"`).join(", ")}`);
  }
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw invalidField(key, `unknown field "${key}"; expected ${allowed.map((k) => `"${k}"`).join(", ")}`);
  }
  return body as Record<string, unknown>;
}

function requiredText(fields: Readonly<Record<string, unknown>>, name: string, hint: string): string {
  const value = fields[name];
  if (value === undefined || (typeof value === "string" && value.trim() === "")) throw invalidField(name, `"${name}" is required: ${hint}`);
  if (typeof value !== "string") throw invalidField(name, `"${name}" must be a string`);
  return value;
}
