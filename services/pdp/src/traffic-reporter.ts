import { encodeZoneTraffic, type AuditWriter } from "@flowzone/audit";
import type { PolicyEngine } from "@flowzone/engine";
import type { PolicyRuntime } from "@flowzone/policy-runtime";

/**
 * Reports, per zone, how many decisions this process evaluated, as zone_traffic audit records
 * every `intervalMs`. The counts live in the engine; an engine about to be replaced is emptied
 * first, so a reload never loses a window's decisions.
 */
export class TrafficReporter {
  private windowStartMs = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly writer: AuditWriter,
    private readonly runtime: PolicyRuntime,
    private readonly reporter: string,
    intervalMs: number,
  ) {
    runtime.onSwap((previous) => {
      this.report(previous);
    });
    this.timer = setInterval(() => {
      this.report(runtime.holder.current);
      this.windowStartMs = Date.now();
    }, intervalMs);
    this.timer.unref();
  }

  /** Reports what is left and stops. */
  close(): void {
    clearInterval(this.timer);
    this.report(this.runtime.holder.current);
  }

  private report(engine: PolicyEngine): void {
    const windowEndMs = Date.now();
    const records = [...engine.takeZoneDecisions()].map(([zone, decisions]) =>
      encodeZoneTraffic({ zone, decisions, windowStartMs: this.windowStartMs, windowEndMs, enforcementPoint: "decision_service", reporter: this.reporter, policyVersion: engine.version }),
    );
    // Counts are statistics, not findings: a full spool drops them (the writer counts it).
    if (records.length > 0) this.writer.offer(records);
  }
}
