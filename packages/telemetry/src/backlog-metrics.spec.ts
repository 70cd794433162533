import { observeBacklog } from "./backlog-metrics";
import { createTelemetry } from "./telemetry";

describe("observeBacklog", () => {
  it("serves cached open signatures per zone and reads again only after refreshMs", async () => {
    const telemetry = createTelemetry({ serviceName: "test" });
    let reads = 0;
    const gauge = observeBacklog(telemetry, () => {
      reads += 1;
      return Promise.resolve(new Map([["banana", { open: reads, resolvedPerDay: 0, projectedDrainAtMs: null }]]));
    }, { refreshMs: 60_000 });
    await gauge.refresh();
    const text = await telemetry.render();
    expect(text).toContain("# TYPE flowzone_backlog_open_signatures gauge");
    expect(text).toContain('flowzone_backlog_open_signatures{zone="banana"} 1');
    await telemetry.render();
    expect(reads).toBe(1);
  });

  it("shows each zone's pace, and a drain date only for a zone that is draining", async () => {
    const telemetry = createTelemetry({ serviceName: "test" });
    const gauge = observeBacklog(telemetry, () =>
      Promise.resolve(
        new Map([
          ["banana", { open: 3, resolvedPerDay: 1.5, projectedDrainAtMs: Date.parse("2026-12-10T00:00:00Z") }],
          ["email", { open: 4, resolvedPerDay: 0, projectedDrainAtMs: null }],
        ]),
      ),
    );
    await gauge.refresh();
    const text = await telemetry.render();
    expect(text).toContain('flowzone_backlog_resolved_per_day{zone="banana"} 1.5');
    expect(text).toContain('flowzone_backlog_resolved_per_day{zone="email"} 0');
    expect(text).toContain(`flowzone_backlog_projected_drain_timestamp_seconds{zone="banana"} ${Date.parse("2026-12-10T00:00:00Z") / 1000}`);
    expect(text).not.toContain('flowzone_backlog_projected_drain_timestamp_seconds{zone="email"}');
  });

  it("keeps the last sizes when a read fails and reports the error", async () => {
    const telemetry = createTelemetry({ serviceName: "test" });
    const errors: unknown[] = [];
    let fail = false;
    const gauge = observeBacklog(telemetry, () => (fail ? Promise.reject(new Error("db down")) : Promise.resolve(new Map([["email", { open: 2, resolvedPerDay: 0, projectedDrainAtMs: null }]]))), {
      refreshMs: 0,
      onError: (error) => errors.push(error),
    });
    await gauge.refresh();
    fail = true;
    await gauge.refresh();
    expect(errors).toHaveLength(1);
    expect(await telemetry.render()).toContain('flowzone_backlog_open_signatures{zone="email"} 2');
  });
});
