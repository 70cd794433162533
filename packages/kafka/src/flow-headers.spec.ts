import { decodeFlowHeaders, encodeFlowHeaders } from "./flow-headers";

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
