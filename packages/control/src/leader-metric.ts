import { METRIC_NAMES, type Telemetry } from "@flowzone/telemetry";

/**
 * Observes whether this replica leads, as {@link METRIC_NAMES.controlLeader} (1 or 0, by replica):
 * summed over the replicas of a store it should be 1. Returns the function that stops observing.
 */
export function observeLeadership(telemetry: Telemetry, replica: string, isLeader: () => boolean): () => Promise<void> {
  const gauge = telemetry.meter.createObservableGauge(METRIC_NAMES.controlLeader, {
    description: "1 while this control-plane replica leads its store (runs the outbox publisher, the consumers and the ticks), else 0.",
  });
  const observe = (result: { observe(value: number, attributes: Record<string, string>): void }): void => {
    result.observe(isLeader() ? 1 : 0, { replica });
  };
  gauge.addCallback(observe);
  return () => {
    gauge.removeCallback(observe);
    return Promise.resolve();
  };
}
