import { DecisionCache, writeShapeKey } from "./decision-cache";
import type { FlowDecision } from "./types";

const write = { producer: "svc:a", sink: "kafka:t", labels: ["b", "a"], sources: ["kafka:y", "kafka:x"], purpose: "" };

function decision(id: string): FlowDecision {
  return { outcome: "allow", decisionId: id, policyVersion: "v1", violations: [], labels: [], cached: true };
}

describe("writeShapeKey", () => {
  it("ignores the order of labels and sources", () => {
    expect(writeShapeKey(write)).toBe(writeShapeKey({ ...write, labels: ["a", "b"], sources: ["kafka:x", "kafka:y"] }));
  });

  it.each([
    ["producer", { producer: "svc:b" }],
    ["sink", { sink: "kafka:u" }],
    ["labels", { labels: ["a"] }],
    ["sources", { sources: ["kafka:x"] }],
    ["purpose", { purpose: "ads" }],
    ["a label moved into a source", { labels: ["a", "b", "kafka:x"], sources: ["kafka:y"] }],
  ])("tells writes apart by %s", (_what, change) => {
    expect(writeShapeKey({ ...write, ...change })).not.toBe(writeShapeKey(write));
  });
});

describe("DecisionCache", () => {
  it("returns what was set for the same version", () => {
    const cache = new DecisionCache(10, 1000);
    cache.set("k", decision("d1"), "v1");
    expect(cache.get("k")?.decisionId).toBe("d1");
  });

  it("drops every entry when a decision from another policy version is observed", () => {
    const cache = new DecisionCache(10, 1000);
    cache.set("k1", decision("d1"), "v1");
    cache.set("k2", decision("d2"), "v1");
    cache.observe("v1");
    expect(cache.size).toBe(2);
    cache.observe("v2");
    expect(cache.size).toBe(0);
    expect(cache.get("k1")).toBeUndefined();
    expect(cache.dropCount).toBe(1);
  });

  it("drops everything on clear (an embedded engine swap)", () => {
    const cache = new DecisionCache(10, 1000);
    cache.set("k", decision("d"), "v1");
    cache.clear();
    expect(cache.get("k")).toBeUndefined();
    expect(cache.dropCount).toBe(1);
  });

  it("is bounded: the least recently used entry goes first", () => {
    const cache = new DecisionCache(2, 1000);
    cache.set("a", decision("a"), "v1");
    cache.set("b", decision("b"), "v1");
    expect(cache.get("a")).toBeDefined(); // a is now the most recently used
    cache.set("c", decision("c"), "v1");
    expect(cache.size).toBe(2);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBeDefined();
    expect(cache.get("c")).toBeDefined();
  });

  it("expires entries after the ttl", () => {
    let now = 1_000;
    const cache = new DecisionCache(10, 500, () => now);
    cache.set("k", decision("d"), "v1");
    now += 499;
    expect(cache.get("k")).toBeDefined();
    now += 1;
    expect(cache.get("k")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("keeps nothing with zero entries", () => {
    const cache = new DecisionCache(0, 1000);
    cache.set("k", decision("d"), "v1");
    expect(cache.get("k")).toBeUndefined();
  });
});
