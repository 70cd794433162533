import { MAX_FLOW_LIMIT, type FlowListQuery } from "@flowzone/control";
import { parseDurationMs } from "@flowzone/engine";

import { invalidField } from "./invalid-field";
import { checkQueryKeys } from "./query-params";
import { parseLimit } from "./request-bodies";

/** `GET /v1/flows` without `since` looks this far back. */
const DEFAULT_FLOW_SINCE = "7d";
/** `GET /v1/flows` without `limit` lists this many; at most {@link MAX_FLOW_LIMIT}. */
const DEFAULT_FLOW_LIMIT = 100;

const FILTERS = ["zone", "label", "sink", "producer"] as const;
const KEYS: readonly string[] = [...FILTERS, "since", "limit"];

/**
 * `GET /v1/flows?zone=&label=&sink=&producer=&since=&limit=`. An unknown parameter, one given
 * twice or an empty filter is refused by name: a typo such as `?sinks=` must not silently list
 * every flow.
 */
export function parseFlowQuery(query: URLSearchParams): FlowListQuery {
  checkQueryKeys(query, KEYS);
  const filters: Partial<Record<(typeof FILTERS)[number], string>> = {};
  for (const name of FILTERS) {
    const value = query.get(name) ?? undefined;
    if (value?.trim() === "") throw invalidField(name, `"${name}" must not be empty; leave it out to match every flow`);
    filters[name] = value;
  }
  const since = query.get("since") ?? DEFAULT_FLOW_SINCE;
  const windowMs = parseDurationMs(since);
  if (windowMs === undefined || windowMs <= 0) throw invalidField("since", `"since" must be a positive duration such as 7d, 24h or 90m, not ${JSON.stringify(since)}`);
  return { ...filters, windowMs, limit: parseLimit(query.get("limit") ?? undefined, DEFAULT_FLOW_LIMIT, MAX_FLOW_LIMIT) };
}
