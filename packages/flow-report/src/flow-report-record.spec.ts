import { fromBinary } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";

import { EnforcementPoint, FlowReportSchema } from "@flowzone/proto";

import { canonicalFlow, flowSignature, type Flow } from "./flow";
import { encodeFlowReport } from "./flow-report-record";

const FLOW: Flow = canonicalFlow({ producer: "svc:a", sink: "kafka:x", labels: ["pii", "banana"], sources: ["kafka:raw"], purpose: "ads" });
const SOURCE = { enforcementPoint: "stream_enforcer", reporter: "enforcer-1a2b", policyVersion: "sha256:ab@3" } as const;

describe("encodeFlowReport", () => {
  it("round-trips every field through the generated FlowReport schema, keyed by the signature", () => {
    const signature = flowSignature(FLOW);
    const encoded = encodeFlowReport({ signature, flow: FLOW, count: 42, lastSeenMs: 1_500 }, { startMs: 1_000, endMs: 2_000 }, SOURCE);
    expect(encoded.key).toBe(signature);
    const report = fromBinary(FlowReportSchema, encoded.value);
    expect({
      signature: report.signature,
      producer: report.producer,
      sink: report.sink,
      labels: report.labels,
      sources: report.sources,
      purpose: report.purpose,
      count: report.count,
      reporter: report.reporter,
      policyVersion: report.policyVersion,
      enforcementPoint: report.enforcementPoint,
    }).toEqual({
      signature,
      producer: "svc:a",
      sink: "kafka:x",
      labels: ["banana", "pii"],
      sources: ["kafka:raw"],
      purpose: "ads",
      count: 42n,
      reporter: "enforcer-1a2b",
      policyVersion: "sha256:ab@3",
      enforcementPoint: EnforcementPoint.STREAM_ENFORCER,
    });
    expect([report.windowStart, report.lastSeen, report.windowEnd].map((t) => (t === undefined ? undefined : timestampMs(t)))).toEqual([1_000, 1_500, 2_000]);
  });

  it("keeps last_seen within the window even when the clock stepped back", () => {
    const signature = flowSignature(FLOW);
    const early = fromBinary(FlowReportSchema, encodeFlowReport({ signature, flow: FLOW, count: 1, lastSeenMs: 10 }, { startMs: 1_000, endMs: 2_000 }, SOURCE).value);
    const late = fromBinary(FlowReportSchema, encodeFlowReport({ signature, flow: FLOW, count: 1, lastSeenMs: 9_000 }, { startMs: 1_000, endMs: 2_000 }, SOURCE).value);
    expect(early.lastSeen === undefined ? undefined : timestampMs(early.lastSeen)).toBe(1_000);
    expect(late.lastSeen === undefined ? undefined : timestampMs(late.lastSeen)).toBe(2_000);
  });

  it("refuses a count of 0, naming the flow", () => {
    const signature = flowSignature(FLOW);
    expect(() => encodeFlowReport({ signature, flow: FLOW, count: 0, lastSeenMs: 1_000 }, { startMs: 1_000, endMs: 2_000 }, SOURCE)).toThrow(`a flow report needs a count above 0, got 0 for flow ${signature}`);
  });
});
