import type { ControlPlane, ZoneView } from "@flowzone/control";
import { METRIC_NAMES, observeBacklog, type BacklogGauge, type Telemetry, type ZoneBacklog } from "@flowzone/telemetry";

/**
 * The control plane's metrics on the process's shared registry: request counts (HTTP by method,
 * route pattern and status; gRPC by method and status code) and the backlog, open violation
 * signatures per zone, read through the facade and cached. `GET /metrics` renders the whole
 * registry, so in `flowzone dev` it shows the decision service's and the enforcer's metrics too.
 */
type Counter = ReturnType<Telemetry["meter"]["createCounter"]>;

export class RequestMetrics {
  private readonly http: Counter;
  private readonly grpc: Counter;
  private readonly backlog: BacklogGauge;

  constructor(
    private readonly telemetry: Telemetry,
    controlPlane: Pick<ControlPlane, "listZones">,
    onBacklogError: (error: unknown) => void,
  ) {
    this.http = telemetry.meter.createCounter(METRIC_NAMES.controlHttpRequests, { description: "HTTP requests to the control plane API, by method, route and status." });
    this.grpc = telemetry.meter.createCounter(METRIC_NAMES.controlGrpcRequests, { description: "ZoneService gRPC calls, by method and status code." });
    this.backlog = observeBacklog(telemetry, async () => new Map((await controlPlane.listZones()).map((zone) => [zone.name, zoneBacklog(zone)])), { onError: onBacklogError });
  }

  /** One HTTP request, by route pattern (never the raw path: zone names would explode the series). */
  countHttp(method: string, route: string, status: number): void {
    this.http.add(1, { method, route, status: String(status) });
  }

  /** One gRPC call, by method name and status code name. */
  countGrpc(method: string, code: string): void {
    this.grpc.add(1, { method, code });
  }

  /** The Prometheus text exposition of the registry, with the backlog read if the cached one is stale. */
  async render(): Promise<string> {
    await this.backlog.refreshIfStale();
    return this.telemetry.render();
  }

  /** Stops reading the backlog. */
  stop(): void {
    this.backlog.stop();
  }
}

export { PROMETHEUS_CONTENT_TYPE } from "@flowzone/telemetry";

function zoneBacklog(zone: ZoneView): ZoneBacklog {
  return { open: zone.openViolations, resolvedPerDay: zone.drain.resolvedPerDay, projectedDrainAtMs: zone.drain.projectedDrainAt?.getTime() ?? null };
}
