import { fromBinary } from "@bufbuild/protobuf";

import { FlowReportSchema } from "@flowzone/proto";

import { collectingLogger } from "../../../test/support/logger";
import { flowSignature, type Flow } from "./flow";
import type { EncodedFlowReport } from "./flow-report-record";
import { FlowReporter, type FlowSender } from "./flow-reporter";

const A: Flow = { producer: "svc:a", sink: "kafka:x", labels: ["pii"], sources: [], purpose: "" };
const B: Flow = { producer: "svc:b", sink: "kafka:x", labels: ["pii"], sources: [], purpose: "" };

/** A sender that fails while `down` and keeps what it was given. */
class FakeSender implements FlowSender {
  down = false;
  closed = false;
  readonly sent: EncodedFlowReport[][] = [];
  send(records: readonly EncodedFlowReport[]): Promise<void> {
    if (this.down) return Promise.reject(new Error("broker unreachable"));
    this.sent.push([...records]);
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

function reporterWith(sender: FlowSender, maxFlows = 100): { reporter: FlowReporter; lines: ReturnType<typeof collectingLogger>["lines"] } {
  const { logger, lines } = collectingLogger();
  // An hour's interval: the test ends windows with flush().
  const reporter = new FlowReporter({ sender, logger, enforcementPoint: "decision_service", reporter: "pdp-test", policyVersion: () => "sha256:aa@1", intervalMs: 3_600_000, maxFlows });
  return { reporter, lines };
}

function countsOf(records: readonly EncodedFlowReport[]): Record<string, number> {
  return Object.fromEntries(records.map((r) => { const report = fromBinary(FlowReportSchema, r.value); return [report.producer, Number(report.count)]; }));
}

describe("FlowReporter", () => {
  it("sends one record per distinct flow of the window, and nothing for an empty window", async () => {
    const sender = new FakeSender();
    const { reporter } = reporterWith(sender);
    reporter.record(A);
    reporter.record(A);
    reporter.record(B);
    await reporter.flush();
    await reporter.flush();
    expect(sender.sent).toHaveLength(1);
    expect(countsOf(sender.sent[0] ?? [])).toEqual({ "svc:a": 2, "svc:b": 1 });
    expect(sender.sent[0]?.map((r) => r.key).sort()).toEqual([flowSignature(A), flowSignature(B)].sort());
    expect(reporter.stats()).toEqual({ sentRecords: 2, overBound: 0, failedSends: 0 });
    await reporter.close();
  });

  it("keeps a failed window's counts and merges them into the next send; logs the failure once", async () => {
    const sender = new FakeSender();
    const { reporter, lines } = reporterWith(sender);
    sender.down = true;
    reporter.record(A);
    await reporter.flush();
    reporter.record(A);
    reporter.record(B);
    await reporter.flush();
    expect(sender.sent).toHaveLength(0);
    expect(reporter.stats().failedSends).toBe(2);
    expect(lines.filter((l) => l.msg === "cannot send flow reports; their counts are kept and sent with the next window")).toHaveLength(1);
    sender.down = false;
    reporter.record(A);
    await reporter.flush();
    expect(sender.sent).toHaveLength(1);
    expect(countsOf(sender.sent[0] ?? [])).toEqual({ "svc:a": 3, "svc:b": 1 });
    expect(lines.some((l) => l.msg === "flow reports are sent again")).toBe(true);
    await reporter.close();
  });

  it("bounds what it carries over a failed send, counting the decisions beyond the bound with a warning", async () => {
    const sender = new FakeSender();
    const { reporter, lines } = reporterWith(sender, 1);
    sender.down = true;
    reporter.record(A);
    await reporter.flush();
    reporter.record(B);
    reporter.record(B);
    sender.down = false;
    await reporter.flush();
    expect(countsOf(sender.sent[0] ?? [])).toEqual({ "svc:a": 1 });
    expect(reporter.stats().overBound).toBe(2);
    expect(lines.filter((l) => l.level === 40 && l.decisions === 2)).toHaveLength(1);
    await reporter.close();
  });

  it("sends what is left on close, then closes the sender", async () => {
    const sender = new FakeSender();
    const { reporter } = reporterWith(sender);
    reporter.record(B);
    await reporter.close();
    expect(countsOf(sender.sent[0] ?? [])).toEqual({ "svc:b": 1 });
    expect(sender.closed).toBe(true);
  });
});

describe("FlowReporter.close", () => {
  it("gives up on a send that does not finish in time, says so, and still closes the sender", async () => {
    let closed = false;
    const hanging: FlowSender = {
      send: () => new Promise<void>(() => undefined),
      close: () => {
        closed = true;
        return Promise.resolve();
      },
    };
    const { reporter, lines } = reporterWith(hanging);
    reporter.record(A);
    await reporter.close(50);
    expect(closed).toBe(true);
    expect(lines.some((l) => l.msg === "the last flow reports could not be sent before stopping; their counts are lost")).toBe(true);
  });
});
