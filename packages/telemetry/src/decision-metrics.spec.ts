import { DECISION_TIMING_SAMPLE, DecisionMetrics } from "./decision-metrics";
import { createTelemetry } from "./telemetry";

const allow = { allow: true, violations: [] };
const denyBanana = {
  allow: false,
  violations: [
    { zone: "banana", mode: "enforcement" },
    { zone: "banana", mode: "enforcement" },
  ],
};
const logEmail = { allow: true, violations: [{ zone: "email", mode: "logging" }] };

/** The sample lines of one metric family, without HELP/TYPE. */
function samples(text: string, name: string): string[] {
  return text.split("\n").filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe("DecisionMetrics", () => {
  it("renders the Prometheus text of a known sequence of decisions", async () => {
    const telemetry = createTelemetry({ serviceName: "test" });
    const metrics = new DecisionMetrics(telemetry);
    for (let i = 0; i < 3; i++) metrics.record(allow);
    for (let i = 0; i < 2; i++) metrics.record(denyBanana);
    for (let i = 0; i < 4; i++) metrics.record(logEmail);
    metrics.recordAuditFailure("email", "open");
    metrics.recordAuditFailure("banana", "closed");
    const text = await telemetry.render();

    expect(text).toContain("# TYPE flowzone_decisions_total counter");
    expect(samples(text, "flowzone_decisions_total")).toEqual(['flowzone_decisions_total{outcome="allow"} 7', 'flowzone_decisions_total{outcome="deny"} 2']);
    expect(samples(text, "flowzone_zone_decisions_total")).toEqual([
      'flowzone_zone_decisions_total{zone="banana",mode="enforcement",outcome="deny"} 2',
      'flowzone_zone_decisions_total{zone="email",mode="logging",outcome="allow"} 4',
    ]);
    expect(samples(text, "flowzone_violations_total")).toEqual([
      'flowzone_violations_total{zone="banana",mode="enforcement"} 4',
      'flowzone_violations_total{zone="email",mode="logging"} 4',
    ]);
    expect(samples(text, "flowzone_would_deny_total")).toEqual(['flowzone_would_deny_total{zone="email"} 4']);
    expect(samples(text, "flowzone_audit_fail_open_total")).toEqual(['flowzone_audit_fail_open_total{zone="email"} 1']);
    expect(samples(text, "flowzone_audit_fail_closed_total")).toEqual(['flowzone_audit_fail_closed_total{zone="banana"} 1']);
    expect(text).not.toContain("otel_scope_name");
    await telemetry.shutdown();
  });

  it("counts a zone once per decision, with its strictest violated mode", async () => {
    const telemetry = createTelemetry({ serviceName: "test" });
    const metrics = new DecisionMetrics(telemetry);
    metrics.record({ allow: false, violations: [{ zone: "z", mode: "logging" }, { zone: "y", mode: "logging" }, { zone: "z", mode: "enforcement" }] });
    const text = await telemetry.render();
    expect(samples(text, "flowzone_zone_decisions_total")).toEqual([
      'flowzone_zone_decisions_total{zone="z",mode="enforcement",outcome="deny"} 1',
      'flowzone_zone_decisions_total{zone="y",mode="logging",outcome="deny"} 1',
    ]);
    expect(samples(text, "flowzone_would_deny_total")).toEqual(['flowzone_would_deny_total{zone="y"} 1']);
  });

  it("times one decision in DECISION_TIMING_SAMPLE into a seconds histogram", async () => {
    const telemetry = createTelemetry({ serviceName: "test" });
    const metrics = new DecisionMetrics(telemetry);
    let timed = 0;
    for (let i = 0; i < 10 * DECISION_TIMING_SAMPLE; i++) {
      if (metrics.shouldTime()) {
        timed += 1;
        metrics.recordDuration(0n, 3_000n);
      }
    }
    expect(timed).toBe(10);
    const text = await telemetry.render();
    expect(text).toContain("# TYPE flowzone_decision_duration_seconds histogram");
    expect(text).toContain("flowzone_decision_duration_seconds_count 10");
    expect(text).toContain('flowzone_decision_duration_seconds_bucket{le="0.0000025"} 0');
    expect(text).toContain('flowzone_decision_duration_seconds_bucket{le="0.000005"} 10');
  });

  it("counts refused callers by reason and credential, and shows nothing before the first refusal", async () => {
    const telemetry = createTelemetry({ serviceName: "test" });
    const metrics = new DecisionMetrics(telemetry);
    expect(samples(await telemetry.render(), "flowzone_caller_refusals_total")).toEqual([]);
    metrics.recordUnauthenticated("none");
    metrics.recordUnauthenticated("none");
    metrics.recordUnauthenticated("bearer_token");
    metrics.recordUnauthenticated("both");
    metrics.recordIdentityMismatch("client_certificate");
    metrics.recordIdentityMismatch("bearer_token");
    metrics.recordIdentityMismatch("bearer_token");
    const text = await telemetry.render();
    expect(text).toContain("# TYPE flowzone_caller_refusals_total counter");
    expect(samples(text, "flowzone_caller_refusals_total")).toEqual([
      'flowzone_caller_refusals_total{reason="unauthenticated",credential="none"} 2',
      'flowzone_caller_refusals_total{reason="unauthenticated",credential="bearer_token"} 1',
      'flowzone_caller_refusals_total{reason="unauthenticated",credential="both"} 1',
      'flowzone_caller_refusals_total{reason="identity_mismatch",credential="client_certificate"} 1',
      'flowzone_caller_refusals_total{reason="identity_mismatch",credential="bearer_token"} 2',
    ]);
    await telemetry.shutdown();
  });
});
