import { flowSignature, type Flow } from "./flow";
import { FlowAggregator } from "./flow-aggregator";

const A: Flow = { producer: "svc:a", sink: "kafka:x", labels: ["pii", "banana"], sources: [], purpose: "" };
const B: Flow = { producer: "svc:b", sink: "kafka:x", labels: ["banana"], sources: ["kafka:raw"], purpose: "ads" };

describe("FlowAggregator", () => {
  it("counts decisions per flow, merging writes that list the same labels in another order or twice", () => {
    const aggregator = new FlowAggregator(100, 1_000);
    aggregator.record(A);
    aggregator.record({ ...A, labels: ["banana", "pii"] });
    aggregator.record({ ...A, labels: ["banana", "pii", "pii"] });
    aggregator.record(B);
    const { window, overBound } = aggregator.take(2_000_000_000_000);
    expect(overBound).toBe(0);
    expect(window.startMs).toBe(1_000);
    expect(window.endMs).toBe(2_000_000_000_000);
    expect(window.flows.size).toBe(2);
    const a = window.flows.get(flowSignature(A));
    expect(a?.count).toBe(3);
    expect(a?.flow.labels).toEqual(["banana", "pii"]);
    expect(window.flows.get(flowSignature(B))?.count).toBe(1);
  });

  it("keeps the last time a flow was decided", () => {
    const aggregator = new FlowAggregator(100, 0);
    const before = Date.now();
    aggregator.record(A);
    const lastSeenMs = aggregator.take().window.flows.get(flowSignature(A))?.lastSeenMs ?? 0;
    expect(lastSeenMs).toBeGreaterThanOrEqual(before);
    expect(lastSeenMs).toBeLessThanOrEqual(Date.now());
  });

  it("starts a new, empty window at each take", () => {
    const aggregator = new FlowAggregator(100, 0);
    aggregator.record(A);
    aggregator.take(10);
    aggregator.record(B);
    const { window } = aggregator.take(20);
    expect(window.startMs).toBe(10);
    expect([...window.flows.keys()]).toEqual([flowSignature(B)]);
  });

  it("holds at most maxFlows distinct flows per window and counts the decisions beyond, still counting the flows it holds", () => {
    const aggregator = new FlowAggregator(2, 0);
    for (let i = 0; i < 5; i++) aggregator.record({ ...A, producer: `svc:p${i}` });
    aggregator.record({ ...A, producer: "svc:p0" });
    aggregator.record({ ...A, producer: "svc:p4" });
    const { window, overBound } = aggregator.take();
    expect(window.flows.size).toBe(2);
    expect(window.flows.get(flowSignature({ ...A, producer: "svc:p0" }))?.count).toBe(2);
    expect(overBound).toBe(4);
    expect(aggregator.take().overBound).toBe(0);
  });

  it("counts writes of the same frozen lists by their identity, as many as writes of equal lists that are not frozen", () => {
    const labels = Object.freeze(["pii", "banana"]);
    const sources = Object.freeze([] as string[]);
    const aggregator = new FlowAggregator(100, 0);
    for (let i = 0; i < 3; i++) aggregator.record({ ...A, labels, sources });
    aggregator.record({ ...A, labels: ["pii", "banana"], sources: [] });
    aggregator.record({ ...A, labels, sources, purpose: "ads" });
    aggregator.record({ ...A, labels, sources, sink: "kafka:y" });
    aggregator.record({ ...A, labels, sources });
    const { window, overBound } = aggregator.take(10);
    expect(overBound).toBe(0);
    expect(window.flows.get(flowSignature(A))?.count).toBe(5);
    expect(window.flows.get(flowSignature({ ...A, purpose: "ads" }))?.count).toBe(1);
    expect(window.flows.get(flowSignature({ ...A, sink: "kafka:y" }))?.count).toBe(1);
    // The next window counts afresh: nothing found by identity carries over.
    aggregator.record({ ...A, labels, sources });
    expect(aggregator.take(20).window.flows.get(flowSignature(A))?.count).toBe(1);
  });

  it("holds the bound for writes of frozen lists too: a flow it does not hold is counted beyond, every time", () => {
    const labels = Object.freeze(["banana"]);
    const sources = Object.freeze([] as string[]);
    const aggregator = new FlowAggregator(1, 0);
    aggregator.record({ ...A, labels, sources });
    for (let i = 0; i < 3; i++) aggregator.record({ ...A, labels, sources, producer: "svc:other" });
    aggregator.record({ ...A, labels, sources });
    const { window, overBound } = aggregator.take();
    expect(window.flows.size).toBe(1);
    expect(window.flows.get(flowSignature({ ...A, labels: ["banana"] }))?.count).toBe(2);
    expect(overBound).toBe(3);
  });
});
