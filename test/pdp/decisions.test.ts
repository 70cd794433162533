import { Decision, Mode } from "@flowzone/proto";
import type { CheckResponse } from "@flowzone/proto";
import type { Pdp } from "./pdp-harness";
import { nextMessage, startPdp, streamStatus } from "./pdp-harness";

describe("decision service: Check, CheckBatch, CheckStream", () => {
  let pdp: Pdp;

  beforeAll(async () => {
    pdp = await startPdp();
  });

  afterAll(async () => {
    await pdp.stop();
  });

  it("allows banana data into a member of the banana zone", async () => {
    const response = await pdp.client.check({ requestId: "r-1", producer: "svc:banana-app", sink: "svc:banana-ranker", labels: ["banana"] });
    expect(response.requestId).toBe("r-1");
    expect(response.decision).toBe(Decision.ALLOW);
    expect(response.violations).toEqual([]);
    expect(response.policyVersion).toBe(pdp.service.policyVersion());
    expect(response.policyVersion).not.toBe("");
    expect(response.decisionId).not.toBe("");
  });

  it("denies banana data leaving an enforcing zone and says why", async () => {
    const response = await pdp.client.check({ producer: "svc:banana-app", sink: "svc:ads-ranker", labels: ["banana"] });
    expect(response.decision).toBe(Decision.DENY);
    expect(response.violations).toHaveLength(1);
    expect(response.violations[0]).toMatchObject({ zone: "banana", rule: "boundary", mode: Mode.ENFORCEMENT, enforced: true, labels: ["banana"] });
    expect(response.violations[0]?.reason).not.toBe("");
  });

  it("derives labels from source assets and reports every broken rule", async () => {
    const response = await pdp.client.check({ producer: "svc:banana-app", sink: "kafka:export-daily", sources: ["kafka:banana-events"] });
    expect(response.decision).toBe(Decision.DENY);
    expect(response.violations.map((v) => v.rule).sort()).toEqual(["boundary", "no-export"]);
  });

  it("lets a declared purpose through the boundary", async () => {
    const response = await pdp.client.check({ producer: "svc:banana-app", sink: "svc:ads-ranker", labels: ["banana"], purpose: "banana" });
    expect(response.decision).toBe(Decision.ALLOW);
  });

  it("reports a logging-mode violation without enforcing it", async () => {
    const response = await pdp.client.check({ producer: "svc:crm-export", sink: "svc:ads-ranker", sources: ["table:crm.contacts"] });
    expect(response.decision).toBe(Decision.ALLOW);
    expect(response.violations).toEqual([
      expect.objectContaining({ zone: "email", rule: "boundary", mode: Mode.LOGGING, enforced: false, labels: ["pii.email"] }),
    ]);
  });

  it("answers a batch in request order with unique decision ids", async () => {
    const sinks = ["svc:banana-ranker", "svc:ads-ranker", "kafka:banana-clicks", "kafka:export-x"];
    const response = await pdp.client.checkBatch(sinks.map((sink, i) => ({ requestId: `b-${i}`, producer: "svc:banana-app", sink, labels: ["banana"] })));
    expect(response.responses.map((r) => [r.requestId, r.decision])).toEqual([
      ["b-0", Decision.ALLOW],
      ["b-1", Decision.DENY],
      ["b-2", Decision.ALLOW],
      ["b-3", Decision.DENY],
    ]);
    expect(new Set(response.responses.map((r) => r.decisionId)).size).toBe(4);
    expect(response.responses.every((r) => r.policyVersion === pdp.service.policyVersion())).toBe(true);
  });

  it("answers an empty batch with no responses", async () => {
    expect((await pdp.client.checkBatch([])).responses).toEqual([]);
  });

  it("streams decisions, each carrying its request's id", async () => {
    const stream = pdp.client.stream();
    const status = streamStatus(stream);
    const responses: CheckResponse[] = [];
    stream.on("data", (response: CheckResponse) => responses.push(response));
    for (let i = 0; i < 100; i++) {
      stream.write({
        $typeName: "flowzone.v1.CheckRequest",
        requestId: `s-${i}`,
        producer: "svc:banana-app",
        sink: i % 2 === 0 ? "svc:banana-ranker" : "svc:ads-ranker",
        labels: ["banana"],
        sources: [],
        purpose: "",
      });
    }
    stream.end();
    expect((await status).code).toBe(0);
    expect(responses).toHaveLength(100);
    for (const [i, response] of responses.entries()) {
      expect(response.requestId).toBe(`s-${i}`);
      expect(response.decision).toBe(i % 2 === 0 ? Decision.ALLOW : Decision.DENY);
    }
    expect(new Set(responses.map((r) => r.decisionId)).size).toBe(100);
  });

  it("keeps a stream open between requests", async () => {
    const stream = pdp.client.stream();
    const status = streamStatus(stream);
    for (const id of ["x-1", "x-2"]) {
      const next = nextMessage<CheckResponse>(stream);
      stream.write({ $typeName: "flowzone.v1.CheckRequest", requestId: id, producer: "svc:a", sink: "svc:b", labels: [], sources: [], purpose: "" });
      expect((await next).requestId).toBe(id);
    }
    stream.end();
    expect((await status).code).toBe(0);
  });

  it("gives every decision a distinct id across calls", async () => {
    const ids = await Promise.all(
      Array.from({ length: 50 }, () => pdp.client.check({ producer: "svc:a", sink: "svc:b" }).then((r) => r.decisionId)),
    );
    expect(new Set(ids).size).toBe(50);
  });
});
