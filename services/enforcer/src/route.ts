/** One enforcer route (docs/reference/kafka.md): records flow `from` one topic `to` another. */
export interface Route {
  /** Unique; the consumer group is `flowzone-enforcer-<name>`. */
  readonly name: string;
  /** Source topic; its asset is `kafka:<from>`. */
  readonly from: string;
  /** Output topic; undefined for a route that only observes and audits. */
  readonly to: string | undefined;
  /** Where enforced violations and malformed records go; undefined exactly when `to` is. */
  readonly quarantine: string | undefined;
  /** The asset writes are checked as. */
  readonly producer: string;
}

/** Who the writes of a route without `producer` are checked as. */
export const DEFAULT_PRODUCER = "svc:flowzone-enforcer";

/** The consumer group of a route; several enforcer processes share it and split the partitions. */
export function consumerGroupOf(route: Route): string {
  return `flowzone-enforcer-${route.name}`;
}

/**
 * The sink a route's writes are checked against: `kafka:<to>`, or, for a route without `to`, the
 * producer itself (the data flows into the consuming service, which is what an observer audits).
 */
export function sinkOf(route: Route): string {
  if (route.to === undefined) return route.producer;
  // One string per route: the engine looks the sink up in a map for every record, and a string
  // built afresh is hashed afresh each time.
  let sink = sinks.get(route);
  if (sink === undefined) {
    sink = `kafka:${route.to}`;
    sinks.set(route, sink);
  }
  return sink;
}

const sinks = new WeakMap<Route, string>();
