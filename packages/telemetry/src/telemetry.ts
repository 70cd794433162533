import type { Meter } from "@opentelemetry/api";
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider } from "@opentelemetry/sdk-metrics";

/** The content type of {@link Telemetry.render}'s output (Prometheus text format 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** What {@link createTelemetry} needs. */
export interface TelemetryOptions {
  /** `service.name` of the process (`flowzone-pdp`, `flowzone-dev`, ...), in `target_info`. */
  readonly serviceName: string;
}

/**
 * One process's metrics: an OpenTelemetry MeterProvider whose only reader is a pull-based
 * Prometheus exporter, so nothing is pushed and a scrape computes observable gauges on demand.
 * The exporter's own server is never started: {@link serveMetrics} and the control plane's
 * `GET /metrics` both render through {@link render}, so every listener shows the same registry
 * (and port 0 works, which the exporter's server cannot report).
 */
export class Telemetry {
  /** Where components create their instruments. */
  readonly meter: Meter;
  private readonly provider: MeterProvider;
  private readonly reader: PrometheusExporter;
  private readonly serializer = new PrometheusSerializer("", false, undefined, false, true);

  constructor(options: TelemetryOptions) {
    this.reader = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
    this.provider = new MeterProvider({ resource: resourceFromAttributes({ "service.name": options.serviceName }), readers: [this.reader] });
    this.meter = this.provider.getMeter("flowzone");
  }

  /** Collects every instrument now and renders the Prometheus text exposition. */
  async render(): Promise<string> {
    const { resourceMetrics, errors } = await this.reader.collect();
    const text = this.serializer.serialize(resourceMetrics);
    // A failed observable callback is reported, not fatal: the other metrics are still served.
    return errors.length === 0 ? text : `${text}# collection errors: ${errors.length}\n`;
  }

  /** Stops the provider; later instruments record nothing. */
  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}

/** A process's telemetry; call once at start-up and hand it to every component (dependency injection, no global). */
export function createTelemetry(options: TelemetryOptions): Telemetry {
  return new Telemetry(options);
}
