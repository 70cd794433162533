import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { FlowReportSchema, type FlowReport } from "@flowzone/proto";

import { decodeFlowReport, flowReportId } from "./convert-flows";

const SIGNATURE = "a".repeat(64);

/** A valid report, changed by `change` before it is encoded. */
function encode(change: (report: FlowReport) => void = () => undefined): Uint8Array {
  const report = create(FlowReportSchema, {
    signature: SIGNATURE,
    producer: "svc:checkout",
    sink: "kafka:orders",
    labels: ["banana", "apple", "banana"],
    sources: ["kafka:carts"],
    purpose: "billing",
    count: 4n,
    windowStart: timestampFromMs(1_000_000),
    lastSeen: timestampFromMs(1_004_000),
    reporter: "pdp-1",
  });
  change(report);
  return toBinary(FlowReportSchema, report);
}

describe("decodeFlowReport", () => {
  it("reads a report with sorted, de-duplicated labels and its window", () => {
    const fact = decodeFlowReport(encode(), SIGNATURE);
    expect(fact).toEqual({
      signature: SIGNATURE,
      producer: "svc:checkout",
      sink: "kafka:orders",
      labels: ["apple", "banana"],
      sources: ["kafka:carts"],
      purpose: "billing",
      count: 4,
      windowStartMs: 1_000_000,
      lastSeenMs: 1_004_000,
      reporter: "pdp-1",
    });
    expect(flowReportId(fact)).toBe(`pdp-1/${SIGNATURE}/1000000`);
  });

  it("dates a report without a window start at its last decision", () => {
    const value = encode((report) => {
      report.windowStart = undefined;
    });
    expect(decodeFlowReport(value, SIGNATURE).windowStartMs).toBe(1_004_000);
  });

  it.each<[string, (report: FlowReport) => void, string, RegExp]>([
    ["a signature that is not a hex SHA-256", (r) => (r.signature = "abc"), "abc", /signature "abc" is not a hex SHA-256/],
    ["a key that is not the signature", () => undefined, "other", /record key "other" is not the report's signature/],
    ["an empty producer", (r) => (r.producer = ""), SIGNATURE, /producer is empty/],
    ["an empty sink", (r) => (r.sink = ""), SIGNATURE, /sink is empty/],
    ["a count of 0", (r) => (r.count = 0n), SIGNATURE, /count 0 is not between 1/],
    ["no last-seen time", (r) => (r.lastSeen = undefined), SIGNATURE, /last_seen is missing/],
    ["a last decision before the window", (r) => (r.lastSeen = timestampFromMs(999_000)), SIGNATURE, /last_seen .* is before window_start/],
  ])("refuses %s, saying so", (_what, change, key, message) => {
    expect(() => decodeFlowReport(encode(change), key)).toThrow(message);
  });

  it("refuses bytes that are not a FlowReport", () => {
    expect(() => decodeFlowReport(Buffer.from([0xff, 0xff, 0xff]), SIGNATURE)).toThrow();
  });
});
