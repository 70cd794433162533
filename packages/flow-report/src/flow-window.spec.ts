import { flowSignature, type Flow } from "./flow";
import { mergeWindows, type FlowCount, type FlowWindow } from "./flow-window";

function counted(producer: string, count: number, lastSeenMs: number): FlowCount {
  const flow: Flow = { producer, sink: "kafka:x", labels: ["pii"], sources: [], purpose: "" };
  return { signature: flowSignature(flow), flow, count, lastSeenMs };
}

function windowOf(startMs: number, endMs: number, counts: readonly FlowCount[]): FlowWindow {
  return { startMs, endMs, flows: new Map(counts.map((c) => [c.signature, c])) };
}

describe("mergeWindows (a failed send's window into the next)", () => {
  it("sums counts, keeps the later last seen and spans both windows", () => {
    const older = windowOf(100, 200, [counted("svc:a", 3, 150), counted("svc:b", 1, 120)]);
    const newer = windowOf(200, 300, [counted("svc:a", 2, 250), counted("svc:c", 4, 290)]);
    const { window, dropped } = mergeWindows(older, newer, 10);
    expect(dropped).toBe(0);
    expect(window.startMs).toBe(100);
    expect(window.endMs).toBe(300);
    expect([...window.flows.values()].map((c) => [c.flow.producer, c.count, c.lastSeenMs])).toEqual([
      ["svc:a", 5, 250],
      ["svc:b", 1, 120],
      ["svc:c", 4, 290],
    ]);
  });

  it("keeps the older window's flows first and counts the decisions of newer flows beyond the bound", () => {
    const older = windowOf(0, 10, [counted("svc:a", 1, 5), counted("svc:b", 1, 5)]);
    const newer = windowOf(10, 20, [counted("svc:b", 2, 15), counted("svc:c", 7, 15), counted("svc:d", 3, 15)]);
    const { window, dropped } = mergeWindows(older, newer, 2);
    expect([...window.flows.values()].map((c) => [c.flow.producer, c.count])).toEqual([
      ["svc:a", 1],
      ["svc:b", 3],
    ]);
    expect(dropped).toBe(10);
  });
});
