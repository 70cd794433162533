import { PolicyEngine, WriteError, type Bundle, type Zone } from "@flowzone/engine";

import type { FlowView } from "./control-plane";
import type { InventoriedFlow } from "./flow-store";

/** One compiled engine per bundle in force: a listing compiles the policy once per push, not per request. */
const engines = new WeakMap<Bundle, PolicyEngine>();

/**
 * The inventoried flows with the zones of `bundle` each touches (its labels and its sources'). A
 * flow the bundle cannot read (a label it no longer declares, a source it does not know) still
 * lists, touching no zone: the inventory records what decision points saw, whatever the policy now.
 */
export function withZones(bundle: Bundle, flows: readonly InventoriedFlow[]): FlowView[] {
  let engine = engines.get(bundle);
  if (engine === undefined) {
    engine = PolicyEngine.compile(bundle);
    engines.set(bundle, engine);
  }
  const compiled = engine;
  return flows.map((flow) => ({
    signature: flow.signature,
    producer: flow.producer,
    sink: flow.sink,
    labels: flow.labels,
    sources: flow.sources,
    purpose: flow.purpose,
    zones: zonesOrNone(compiled, flow),
    count: flow.count,
    firstSeen: new Date(flow.firstSeenMs),
    lastSeen: new Date(flow.lastSeenMs),
  }));
}

function zonesOrNone(engine: PolicyEngine, flow: InventoriedFlow): string[] {
  try {
    return engine.zonesOf(flow);
  } catch (error) {
    if (error instanceof WriteError) return [];
    throw error;
  }
}

/**
 * What a flow must carry to touch `zone`: one of the labels it protects, or a source that carries
 * one. The store narrows a zone's listing with it; {@link withZones} then decides exactly.
 */
export function zoneReach(bundle: Bundle, zone: Zone): { labels: string[]; sources: string[] } {
  const protects = new Set(zone.protects);
  const sources = [...bundle.assets.values()].filter((asset) => asset.labels.some((label) => protects.has(label))).map((asset) => asset.id);
  return { labels: [...protects], sources };
}
