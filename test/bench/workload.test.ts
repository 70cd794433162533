/**
 * The zones-20 workload that test/bench measures (not a timed test): the generator, the real
 * engine and the Cedar policy built from the same generator agree on every request of one cycle.
 */
import { PolicyEngine, parseBundle } from "@flowzone/engine";
import { localCheckBatch } from "@flowzone/pdp";
import { Metadata } from "@grpc/grpc-js";
import { createLogger } from "@flowzone/logging";
import { cedarDecider } from "./pdp/cedar";
import { batchPathCycle } from "./pdp/flowzone";
import { countFlowzoneBatchDenies, decodeFlowzoneBatch } from "./common/codec";
import { buildPools } from "./common/pools";
import { CYCLE, DENIES_PER_CYCLE, expectedDeny, expectedDenies, flowzoneBundle, request } from "./common/workload";

describe("zones-20 workload", () => {
  it("expects exactly 4200 denies over any 6500 consecutive requests", () => {
    expect(expectedDenies(CYCLE)).toBe(DENIES_PER_CYCLE);
    let window = 0;
    for (let k = 1000; k < 1000 + CYCLE; k++) if (expectedDeny(k)) window++;
    expect(window).toBe(DENIES_PER_CYCLE);
  });

  it("gives 4200 denies over 6500 consecutive requests in the real engine, request by request as expected", () => {
    const parsed = parseBundle(flowzoneBundle());
    if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join("\n"));
    expect(parsed.bundle.zones).toHaveLength(20);
    const engine = PolicyEngine.compile(parsed.bundle);
    let denies = 0;
    const wrong: number[] = [];
    for (let k = 0; k < CYCLE; k++) {
      const r = request(k);
      const decision = engine.decide({ producer: r.producer, sink: r.sink, labels: r.labels, sources: r.sources, purpose: "" });
      if (!decision.allow) denies++;
      if (decision.allow === expectedDeny(k)) wrong.push(k);
      if (!decision.allow) expect(decision.violations.every((v) => v.rule === "boundary" && v.enforced)).toBe(true);
    }
    expect(wrong).toEqual([]);
    expect(denies).toBe(DENIES_PER_CYCLE);
  });

  it("gives the same 4200 denies with the Cedar policy built from the same generator", () => {
    const decide = cedarDecider();
    let denies = 0;
    const wrong: number[] = [];
    for (let k = 0; k < CYCLE; k++) {
      const deny = decide(k);
      if (deny) denies++;
      if (deny !== expectedDeny(k)) wrong.push(k);
    }
    expect(wrong).toEqual([]);
    expect(denies).toBe(DENIES_PER_CYCLE);
  });

  it("gives the same denies through the decision service's CheckBatch path in process, answer by answer, and counted off the bytes", () => {
    const { payloads } = buildPools().flowzoneBatch;
    const parsed = parseBundle(flowzoneBundle());
    if (!parsed.ok) throw new Error("zones-20 does not parse");
    const checkBatch = localCheckBatch(PolicyEngine.compile(parsed.bundle), createLogger({ level: "silent" }));
    const flags = new Uint8Array(CYCLE);
    let answered = 0;
    let counted = 0;
    for (const payload of payloads) {
      const answer = checkBatch(payload, new Metadata());
      counted += countFlowzoneBatchDenies(answer);
      answered += decodeFlowzoneBatch(answer, flags, answered);
    }
    expect(answered).toBe(CYCLE);
    const wrong = Array.from(flags.keys()).filter((k) => (flags[k] === 1) !== expectedDeny(k));
    expect(wrong).toEqual([]);
    expect(counted).toBe(DENIES_PER_CYCLE);
    expect(batchPathCycle(payloads)()).toBe(DENIES_PER_CYCLE);
  });

  it("refuses to count denies in bytes that are not a CheckBatchResponse", () => {
    expect(() => countFlowzoneBatchDenies(Uint8Array.of(0x12, 0x00))).toThrow("does not start an answer");
    expect(() => countFlowzoneBatchDenies(Uint8Array.of(0x0a, 0x02, 0x10, 0x05))).toThrow("neither ALLOW nor DENY");
    expect(() => countFlowzoneBatchDenies(Uint8Array.of(0x0a, 0x80))).toThrow("bad varint");
  });
});
