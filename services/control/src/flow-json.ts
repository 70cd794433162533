import type { FlowList, FlowView } from "@flowzone/control";

import { flowWriteJson, type FlowWriteJson } from "./wire-json";

/** One flow of `GET /v1/flows`. */
export interface FlowJson extends FlowWriteJson {
  readonly signature: string;
  readonly zones: readonly string[];
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

/** `GET /v1/flows`: the flows and the window their counts cover, as RFC 3339 times. */
export interface FlowListJson {
  readonly flows: readonly FlowJson[];
  readonly window: { readonly since: string; readonly until: string };
}

export function flowListJson(list: FlowList): FlowListJson {
  return {
    flows: list.flows.map(flowJson),
    window: { since: list.window.since.toISOString(), until: list.window.until.toISOString() },
  };
}

function flowJson(flow: FlowView): FlowJson {
  return {
    signature: flow.signature,
    ...flowWriteJson(flow),
    zones: [...flow.zones],
    count: flow.count,
    firstSeen: flow.firstSeen.toISOString(),
    lastSeen: flow.lastSeen.toISOString(),
  };
}
