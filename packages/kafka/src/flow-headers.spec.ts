import type { IHeaders } from "kafkajs";
import { decodeFlowHeaders, encodeFlowHeaders, type RecordFlow } from "./flow-headers";

function flowOf(headers: IHeaders): RecordFlow {
  const result = decodeFlowHeaders(headers);
  if (!result.ok) throw new Error(result.reason);
  return result.flow;
}

describe("flow headers", () => {
  it("round-trips a flow, sorting and de-duplicating labels", () => {
    const headers = encodeFlowHeaders({ labels: ["pii.email", "banana", "banana"], sources: ["kafka:orders", "table:dw.users"], purpose: "ads", decisionId: "d-1" });
    expect(headers).toEqual({ "flowzone-labels": "banana,pii.email", "flowzone-sources": "kafka:orders,table:dw.users", "flowzone-purpose": "ads", "flowzone-decision": "d-1" });
    const decoded = decodeFlowHeaders(Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(String(v))])));
    expect(decoded).toEqual({ ok: true, flow: { labels: ["banana", "pii.email"], sources: ["kafka:orders", "table:dw.users"], purpose: "ads", decisionId: "d-1" } });
  });

  it("reads a record without flowzone headers as declaring nothing", () => {
    expect(decodeFlowHeaders(undefined)).toEqual({ ok: true, flow: { labels: [], sources: [], purpose: "", decisionId: "" } });
    expect(encodeFlowHeaders({ labels: [], sources: [], purpose: "", decisionId: "" })).toEqual({});
  });

  it("hands out one frozen list per header text, written back as a fresh list would be", () => {
    const first = flowOf({ "flowzone-labels": Buffer.from("health,banana"), "flowzone-sources": "kafka:a,kafka:b" });
    const again = flowOf({ "flowzone-labels": "health,banana", "flowzone-sources": Buffer.from("kafka:a,kafka:b") });
    expect(again.labels).toBe(first.labels);
    expect(again.sources).toBe(first.sources);
    expect(Object.isFrozen(first.labels) && Object.isFrozen(first.sources)).toBe(true);
    expect(flowOf({ "flowzone-labels": "health" }).labels).toEqual(["health"]);
    const written = encodeFlowHeaders({ ...first, purpose: "", decisionId: "" });
    expect(written).toEqual(encodeFlowHeaders({ labels: ["health", "banana"], sources: ["kafka:a", "kafka:b"], purpose: "", decisionId: "" }));
    expect(written).toEqual({ "flowzone-labels": "banana,health", "flowzone-sources": "kafka:a,kafka:b" });
  });

  it("reads lists right past the number of texts it remembers, and never remembers a fault", () => {
    for (let i = 0; i < 1500; i++) expect(flowOf({ "flowzone-labels": `l${i},x` }).labels).toEqual([`l${i}`, "x"]);
    expect(flowOf({ "flowzone-labels": "l0,x" }).labels).toEqual(["l0", "x"]);
    for (let i = 0; i < 2; i++) expect(decodeFlowHeaders({ "flowzone-labels": "banana,,health" }).ok).toBe(false);
  });

  it.each([
    [{ "flowzone-labels": "banana,,health" }, 'header flowzone-labels "banana,,health" has an empty item'],
    [{ "flowzone-labels": "banana, health" }, 'a malformed item " health"'],
    [{ "flowzone-sources": "kafka:orders," }, "header flowzone-sources"],
    [{ "flowzone-labels": ["a", "b"] }, "header flowzone-labels appears 2 times"],
    [{ "flowzone-labels": Buffer.from([0xff, 0xfe]) }, "header flowzone-labels is not valid UTF-8"],
    [{ "flowzone-purpose": "two words" }, 'header flowzone-purpose "two words" must be one word'],
  ])("rejects %j with a reason naming the header", (headers, reason) => {
    const result = decodeFlowHeaders(headers);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toContain(reason);
  });
});
