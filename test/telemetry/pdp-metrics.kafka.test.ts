/**
 * The decision service's `/metrics` after known traffic: scraped over HTTP from a real service
 * (with Kafka, so the audit trail is observed too), the counters match the traffic exactly.
 */
import { join } from "node:path";
import { rm } from "node:fs/promises";

import { DEFAULTS, startDecisionService, type RunningDecisionService } from "@flowzone/pdp";

import { DecisionClient, makeBundleDir, type CheckInit } from "../pdp/pdp-harness";
import { testBrokers, uniqueTopic } from "../support/kafka";
import { collectingLogger } from "../support/logger";
import { waitUntil } from "../support/poll";

const ALLOW: CheckInit = { producer: "svc:banana-app", sink: "svc:banana-ranker", labels: ["banana"] };
/** banana is enforcing: boundary and no-export are both violated. */
const DENY: CheckInit = { producer: "svc:banana-app", sink: "kafka:export-daily", labels: ["banana"] };
/** email is logging: a boundary violation that lets the write through. */
const LOGGED: CheckInit = { producer: "svc:crm", sink: "svc:analytics", sources: ["table:crm.contacts"] };

const N = 30;
const M = 3;
const K = 4;

async function scrape(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  return response.text();
}

/** The value of one sample line (`name{labels}`), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("decision service /metrics", () => {
  let dir: string;
  let service: RunningDecisionService;
  let client: DecisionClient;
  let lines: Record<string, unknown>[];

  beforeAll(async () => {
    dir = await makeBundleDir();
    const captured = collectingLogger("debug");
    lines = captured.lines;
    service = await startDecisionService({
      policyDir: dir,
      host: "127.0.0.1",
      port: 0,
      metricsPort: 0,
      reloadIntervalMs: 60_000,
      limits: DEFAULTS.limits,
      logger: captured.logger,
      brokers: testBrokers(),
      auditTopic: uniqueTopic("telemetry-audit"),
      controlTopic: uniqueTopic("telemetry-control"),
      flowsTopic: uniqueTopic("telemetry-flows"),
      flowReportIntervalMs: 200,
      auditSpoolDir: join(dir, ".spool"),
      // zone_traffic records go out only at close, so the sent count is the violations' alone.
      trafficIntervalMs: 600_000,
    });
    client = new DecisionClient(`127.0.0.1:${service.port}`);
  }, 60_000);

  afterAll(async () => {
    client.close();
    await service.close(1000);
    await rm(dir, { recursive: true, force: true });
  });

  it("serves on the free port it got with metricsPort 0, and logs it", () => {
    expect(service.metricsPort).toBeGreaterThan(0);
    expect(lines).toContainEqual(expect.objectContaining({ msg: "metrics listening on /metrics", port: service.metricsPort }));
  });

  it("/metrics scraped after known traffic: the counters match it", async () => {
    await client.checkBatch(Array.from({ length: N }, () => ALLOW));
    for (let i = 0; i < M; i++) expect((await client.check(DENY)).violations).toHaveLength(2);
    for (let i = 0; i < K; i++) expect((await client.check(LOGGED)).violations).toHaveLength(1);
    const port = service.metricsPort ?? 0;

    const text = await scrape(port);
    expect(sample(text, 'flowzone_decisions_total{outcome="allow"}')).toBe(N + K);
    expect(sample(text, 'flowzone_decisions_total{outcome="deny"}')).toBe(M);
    expect(sample(text, 'flowzone_zone_decisions_total{zone="banana",mode="enforcement",outcome="deny"}')).toBe(M);
    expect(sample(text, 'flowzone_zone_decisions_total{zone="email",mode="logging",outcome="allow"}')).toBe(K);
    expect(sample(text, 'flowzone_violations_total{zone="banana",mode="enforcement"}')).toBe(2 * M);
    expect(sample(text, 'flowzone_violations_total{zone="email",mode="logging"}')).toBe(K);
    expect(sample(text, 'flowzone_would_deny_total{zone="email"}')).toBe(K);
    expect(sample(text, 'flowzone_would_deny_total{zone="banana"}')).toBeUndefined();
    expect(text).not.toContain("flowzone_audit_fail_");
    // Sampled engine time: at least one of the N + M + K decisions was timed.
    expect(text).toContain("# TYPE flowzone_decision_duration_seconds histogram");
    expect(sample(text, "flowzone_decision_duration_seconds_count")).toBeGreaterThanOrEqual(1);
    expect(text).not.toMatch(/svc:banana-app|svc:crm|export-daily/);

    // Every violation's audit record reaches Kafka; the queue empties and nothing is dropped.
    const last = await waitUntil(
      `${2 * M + K} audit records sent`,
      () => scrape(port),
      (scraped) => sample(scraped, 'flowzone_audit_sent_records_total{source="decision_service"}') === 2 * M + K,
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(sample(last, 'flowzone_audit_sent_records_total{source="decision_service"}')).toBe(2 * M + K);
    expect(sample(last, 'flowzone_audit_queue_records{source="decision_service"}')).toBe(0);
    expect(sample(last, 'flowzone_audit_spool_records{source="decision_service"}')).toBe(0);
    expect(last).not.toContain("flowzone_audit_dropped_records_total{");

    // The three flows decided (allow, deny, logged) are reported: one record each per window they were seen in.
    const flows = await waitUntil(
      "the three flows reported",
      () => scrape(port),
      (scraped) => (sample(scraped, 'flowzone_flow_reports_sent_total{source="decision_service"}') ?? 0) >= 3,
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(sample(flows, 'flowzone_flow_report_over_bound_total{source="decision_service"}')).toBe(0);
    expect(sample(flows, 'flowzone_flow_report_send_failures_total{source="decision_service"}')).toBe(0);
  }, 60_000);
});
