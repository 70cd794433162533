import { readSettings } from "@flowzone/service-kit";

import { FLOW_REPORT_DEFAULTS, FLOW_REPORT_INTERVAL_SETTING, flowReportIntervalMs } from "./flow-report-settings";

describe("the flow report interval", () => {
  it("defaults to 5 s, and 0 means off", () => {
    expect(flowReportIntervalMs(undefined, "x")).toBe(FLOW_REPORT_DEFAULTS.intervalMs);
    expect(FLOW_REPORT_DEFAULTS.intervalMs).toBe(5_000);
    expect(flowReportIntervalMs(0, "x")).toBe(0);
  });

  it.each([-1, 1.5, Number.NaN, 3_600_001])("refuses %p, naming the option", (bad) => {
    expect(() => flowReportIntervalMs(bad, "decider.flowReportIntervalMs")).toThrow(/^decider\.flowReportIntervalMs must be a whole number of milliseconds from 0 \(flow reporting off\) to 3600000/);
  });

  it("is read from FLOWZONE_FLOW_REPORT_INTERVAL_MS, and a bad value names the variable", () => {
    const settings = { interval: FLOW_REPORT_INTERVAL_SETTING };
    expect(readSettings(settings, { env: { FLOWZONE_FLOW_REPORT_INTERVAL_MS: "0" } }).interval).toBe(0);
    expect(readSettings(settings, { env: {} }).interval).toBeUndefined();
    expect(() => readSettings(settings, { env: { FLOWZONE_FLOW_REPORT_INTERVAL_MS: "soon" } })).toThrow(/FLOWZONE_FLOW_REPORT_INTERVAL_MS.*"soon" must be a whole number from 0 to 3600000/);
  });
});
