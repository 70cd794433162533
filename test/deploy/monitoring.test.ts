/**
 * The Grafana dashboard and the Prometheus alert rules of deploy/ ask only for metrics flowzone
 * exports (packages/telemetry's METRIC_NAMES): a renamed metric would otherwise leave an empty
 * panel and an alert that can never fire, and nobody would notice.
 */
import { EXPORTED_METRICS, metricNamesIn, readDeployFile, yamlDocuments } from "./deploy-files";

interface Panel {
  readonly title: string;
  readonly targets: readonly { readonly expr: string }[];
}

const DASHBOARD_FILE = "grafana/flowzone-dashboard.json";
const ALERTS_FILE = "kubernetes/base/monitoring/flowzone-alerts.yml";

function dashboardPanels(): Panel[] {
  return (JSON.parse(readDeployFile(DASHBOARD_FILE)) as { panels: Panel[] }).panels;
}

describe("deploy/: dashboard and alert rules", () => {
  it("the metric-name check finds a name that is not exported", () => {
    expect(metricNamesIn("rate(flowzone_decisions_total[5m]) + flowzone_no_such_metric").filter((name) => !EXPORTED_METRICS.has(name))).toEqual(["flowzone_no_such_metric"]);
    expect(metricNamesIn("flowzone_decision_duration_seconds_bucket")).toEqual(["flowzone_decision_duration_seconds"]);
  });

  it.each([DASHBOARD_FILE, ALERTS_FILE])("%s names only exported metrics", (file) => {
    const unknown = metricNamesIn(readDeployFile(file)).filter((name) => !EXPORTED_METRICS.has(name));
    expect(unknown).toEqual([]);
  });

  it("the dashboard shows decisions, violations, would-deny, the audit queue and spool, and enforcer lag", () => {
    const queried = new Set(dashboardPanels().flatMap((panel) => panel.targets.flatMap((target) => metricNamesIn(target.expr))));
    for (const name of ["flowzone_decisions_total", "flowzone_violations_total", "flowzone_would_deny_total", "flowzone_audit_queue_records", "flowzone_audit_spool_bytes", "flowzone_enforcer_consumer_lag_records"]) {
      expect([...queried]).toContain(name);
    }
  });

  it("every dashboard panel has a title and a query", () => {
    for (const panel of dashboardPanels()) {
      expect(panel.title).not.toBe("");
      expect(panel.targets.length).toBeGreaterThan(0);
    }
  });

  it("every alert rule has an expression, a severity and a summary", () => {
    const [rules] = yamlDocuments(readDeployFile(ALERTS_FILE)) as [{ groups: { rules: { alert: string; expr: string; labels: { severity: string }; annotations: { summary: string } }[] }[] }];
    const all = rules.groups.flatMap((group) => group.rules);
    expect(all.length).toBeGreaterThan(5);
    for (const rule of all) {
      expect(rule.expr).toMatch(/\S/);
      expect(["critical", "warning"]).toContain(rule.labels.severity);
      expect(rule.annotations.summary).toMatch(/\S/);
    }
  });
});
