import { createHash } from "node:crypto";

import { canonicalFlow, flowSignature, type Flow } from "./flow";

const FLOW: Flow = { producer: "svc:orders-api", sink: "kafka:orders", labels: ["pii", "banana"], sources: ["kafka:raw", "db:users"], purpose: "billing" };

describe("a flow's canonical form and signature", () => {
  it("sorts labels and sources and drops duplicates; the other fields stay as given", () => {
    expect(canonicalFlow({ ...FLOW, labels: ["pii", "banana", "pii"], sources: ["kafka:raw", "db:users", "kafka:raw"] })).toEqual({
      producer: "svc:orders-api",
      sink: "kafka:orders",
      labels: ["banana", "pii"],
      sources: ["db:users", "kafka:raw"],
      purpose: "billing",
    });
  });

  it("is the hex SHA-256 of the canonical form as a JSON array, as the kafka reference defines it", () => {
    const text = '["svc:orders-api","kafka:orders",["banana","pii"],["db:users","kafka:raw"],"billing"]';
    expect(flowSignature(FLOW)).toBe(createHash("sha256").update(text, "utf8").digest("hex"));
    expect(flowSignature(FLOW)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ["labels in another order", { labels: ["banana", "pii"] }],
    ["a label twice", { labels: ["pii", "banana", "banana"] }],
    ["sources in another order", { sources: ["db:users", "kafka:raw"] }],
    ["a source twice", { sources: ["db:users", "kafka:raw", "db:users"] }],
  ])("does not change with %s", (_what, change) => {
    expect(flowSignature({ ...FLOW, ...change })).toBe(flowSignature(FLOW));
  });

  it.each([
    ["producer", { producer: "svc:other" }],
    ["sink", { sink: "kafka:other" }],
    ["labels", { labels: ["pii"] }],
    ["sources", { sources: ["db:users"] }],
    ["purpose", { purpose: "" }],
    ["a label moved to the sources", { labels: ["banana"], sources: ["db:users", "kafka:raw", "pii"] }],
    ["a label joined to the next", { labels: ["bananapii"] }],
    ["the purpose moved into the sink", { sink: "kafka:ordersbilling", purpose: "" }],
  ])("changes with a different %s", (_what, change) => {
    expect(flowSignature({ ...FLOW, ...change })).not.toBe(flowSignature(FLOW));
  });
});
