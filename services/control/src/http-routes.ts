import { AUDIT_WINDOW_PER_ZONE, MAX_FLIP_LIMIT, MAX_HISTORY_DAYS, type Actor, type ControlPlane } from "@flowzone/control";
import type { Access, Caller } from "./authenticator";
import { auditRecordJson, decisionPointListJson, flipEntryJson, zoneHistoryJson } from "./console-json";
import { flowListJson } from "./flow-json";
import { parseFlowQuery } from "./flow-query";
import type { Route } from "./http-router";
import type { QuarantineRedrive } from "./quarantine-redrive";
import { checkQueryKeys } from "./query-params";
import { parseExceptionBody, parseFixedBody, parseFlipBody, parseLimit, parsePolicyBody, parseRedriveBody, parseViolationQuery, parseWhatIfBody, parseWhole } from "./request-bodies";
import { decodeViolationCursor, encodeViolationCursor } from "./violation-cursor";
import { FlowzoneError } from "@flowzone/errors";
import { exceptionJson, flippedZoneJson, redriveJson, violationJson, whatIfJson, zoneDetailJson, zoneJson } from "./wire-json";

/** What a route handler gets: path parameters, the query, the body (read on demand) and who asks. */
export interface RequestContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly actor: Actor;
  /** Who asks, with their role. */
  readonly caller: () => Caller;
  /** The JSON body, undefined when empty. Read only by routes that take one. */
  body(): Promise<unknown>;
}

/** A successful reply; `body` undefined means no content. */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
}

export interface ApiHandler {
  /** `read` needs any valid token, `change` needs privacy-admin. */
  readonly access: Access;
  handle(context: RequestContext): Promise<Reply>;
}

/** Defaults of the console's reads; each at most the facade's maximum. */
const DEFAULT_HISTORY_DAYS = 30;
const DEFAULT_FLIP_LIMIT = 20;
const DEFAULT_AUDIT_LIMIT = 50;

/**
 * The `/v1` routes of docs/reference/http-api.md, each a thin call into the facade: validate the
 * input, call, shape the view as JSON. Probes and metrics are served before auth, elsewhere.
 */
export function apiRoutes(controlPlane: ControlPlane, now: () => Date, redrive?: QuarantineRedrive): Route<ApiHandler>[] {
  const param = (context: RequestContext, name: string): string => context.params[name] ?? "";
  return [
    route("GET", "/v1/me", "read", (c) => Promise.resolve({ status: 200, body: c.caller() })),
    route("GET", "/v1/zones", "read", async () => ({ status: 200, body: { zones: (await controlPlane.listZones()).map(zoneJson) } })),
    route("GET", "/v1/zones/{zone}", "read", async (c) => ({ status: 200, body: zoneDetailJson(await controlPlane.getZone(param(c, "zone"))) })),
    route("GET", "/v1/zones/{zone}/violations", "read", async (c) => {
      checkQueryKeys(c.query, ["status", "limit", "cursor"]);
      const query = parseViolationQuery(c.query.get("status") ?? undefined, c.query.get("limit") ?? undefined);
      const cursor = c.query.get("cursor");
      const violations = await controlPlane.listViolations(param(c, "zone"), { ...query, after: cursor === null ? undefined : decodeViolationCursor(cursor) });
      // A full page may have a next one; a short page is the last.
      const last = violations.length === query.limit ? violations.at(-1) : undefined;
      return { status: 200, body: { violations: violations.map(violationJson), nextCursor: last === undefined ? null : encodeViolationCursor(last) } };
    }),
    route("GET", "/v1/zones/{zone}/history", "read", async (c) => {
      checkQueryKeys(c.query, ["days"]);
      const days = parseWhole("days", c.query.get("days") ?? undefined, DEFAULT_HISTORY_DAYS, MAX_HISTORY_DAYS);
      return { status: 200, body: zoneHistoryJson(await controlPlane.zoneHistory(param(c, "zone"), days)) };
    }),
    route("GET", "/v1/zones/{zone}/flips", "read", async (c) => {
      checkQueryKeys(c.query, ["limit"]);
      const limit = parseLimit(c.query.get("limit") ?? undefined, DEFAULT_FLIP_LIMIT, MAX_FLIP_LIMIT);
      return { status: 200, body: { flips: (await controlPlane.listFlips(param(c, "zone"), limit)).map(flipEntryJson) } };
    }),
    route("GET", "/v1/zones/{zone}/audit", "read", async (c) => {
      checkQueryKeys(c.query, ["limit"]);
      const limit = parseLimit(c.query.get("limit") ?? undefined, DEFAULT_AUDIT_LIMIT, AUDIT_WINDOW_PER_ZONE);
      return { status: 200, body: { records: (await controlPlane.listAuditRecords(param(c, "zone"), limit)).map(auditRecordJson) } };
    }),
    route("GET", "/v1/decision-points", "read", async (c) => {
      checkQueryKeys(c.query, []);
      return { status: 200, body: decisionPointListJson(await controlPlane.listDecisionPoints()) };
    }),
    route("POST", "/v1/zones/{zone}/flip", "change", async (c) => {
      const request = parseFlipBody(await c.body());
      return { status: 200, body: flippedZoneJson(await controlPlane.flip(param(c, "zone"), request, c.actor)) };
    }),
    route("POST", "/v1/zones/{zone}/exceptions", "change", async (c) => {
      const request = parseExceptionBody(await c.body(), now());
      return { status: 201, body: exceptionJson(await controlPlane.grantException(param(c, "zone"), request, c.actor)) };
    }),
    route("DELETE", "/v1/exceptions/{id}", "change", async (c) => {
      await controlPlane.revokeException(param(c, "id"), c.actor);
      return { status: 204 };
    }),
    route("POST", "/v1/violations/{id}/fixed", "change", async (c) => {
      const { note } = parseFixedBody(await c.body());
      return { status: 200, body: violationJson(await controlPlane.markFixed(param(c, "id"), note, c.actor)) };
    }),
    route("PUT", "/v1/policy", "change", async (c) => {
      const files = parsePolicyBody(await c.body());
      const { version } = await controlPlane.pushPolicy(files, c.actor);
      return { status: 200, body: { version } };
    }),
    // A POST for its body, but it changes nothing: any valid token may ask.
    route("POST", "/v1/policy/whatif", "read", async (c) => ({ status: 200, body: whatIfJson(await controlPlane.whatIf(parseWhatIfBody(await c.body()))) })),
    route("POST", "/v1/routes/{route}/redrive", "change", async (c) => {
      const request = parseRedriveBody(await c.body());
      if (redrive === undefined) {
        throw new FlowzoneError("failed_precondition", "the control plane was started without the enforcer's routes file; set FLOWZONE_ROUTES (--routes) to it to re-drive quarantined records");
      }
      return { status: 200, body: redriveJson(await redrive.redrive(param(c, "route"), request, c.actor)) };
    }),
    route("GET", "/v1/flows", "read", async (c) => ({ status: 200, body: flowListJson(await controlPlane.listFlows(parseFlowQuery(c.query))) })),
  ];
}

function route(method: string, pattern: string, access: Access, handle: (context: RequestContext) => Promise<Reply>): Route<ApiHandler> {
  return { method, pattern, handler: { access, handle } };
}
