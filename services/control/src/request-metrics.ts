/**
 * Request counts the service keeps itself and serves on `GET /metrics` in the Prometheus text
 * format, until the OpenTelemetry issue replaces them. Only what is actually counted is
 * exposed: no latency or process metrics are pretended.
 */
export class RequestMetrics {
  private readonly http = new Map<string, number>();
  private readonly grpc = new Map<string, number>();

  /** One HTTP request, by route pattern (never the raw path: zone names would explode the series). */
  countHttp(method: string, route: string, status: number): void {
    increment(this.http, labels({ method, route, status: String(status) }));
  }

  /** One gRPC call, by method name and status code name. */
  countGrpc(method: string, code: string): void {
    increment(this.grpc, labels({ method, code }));
  }

  /** The Prometheus text exposition (version 0.0.4). */
  render(): string {
    return [
      family("flowzone_control_http_requests_total", "HTTP requests to the control plane API, by method, route and status.", this.http),
      family("flowzone_control_grpc_requests_total", "ZoneService gRPC calls, by method and status code.", this.grpc),
    ].join("");
  }
}

/** The content type of {@link RequestMetrics.render}'s output. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

function increment(series: Map<string, number>, key: string): void {
  series.set(key, (series.get(key) ?? 0) + 1);
}

function labels(values: Readonly<Record<string, string>>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}="${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`)
    .join(",");
}

function family(name: string, help: string, series: ReadonlyMap<string, number>): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} counter`];
  for (const key of [...series.keys()].sort()) lines.push(`${name}{${key}} ${series.get(key) ?? 0}`);
  return `${lines.join("\n")}\n`;
}
