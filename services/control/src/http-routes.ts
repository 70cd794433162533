import type { Actor, ControlPlane } from "@flowzone/control";
import type { Access, Caller } from "./authenticator";
import { flowListJson } from "./flow-json";
import { parseFlowQuery } from "./flow-query";
import { invalidField } from "./invalid-field";
import type { Route } from "./http-router";
import type { QuarantineRedrive } from "./quarantine-redrive";
import { parseExceptionBody, parseFixedBody, parseFlipBody, parsePolicyBody, parseRedriveBody, parseViolationQuery, parseWhatIfBody } from "./request-bodies";
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

const VIOLATION_QUERY_KEYS: ReadonlySet<string> = new Set(["status", "limit"]);

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
      for (const key of c.query.keys()) {
        if (!VIOLATION_QUERY_KEYS.has(key)) throw invalidField(key, `unknown query parameter "${key}"; expected "status", "limit"`);
      }
      const query = parseViolationQuery(c.query.get("status") ?? undefined, c.query.get("limit") ?? undefined);
      const violations = await controlPlane.listViolations(param(c, "zone"), query);
      return { status: 200, body: { violations: violations.map(violationJson) } };
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
