/**
 * The zones-20 workload that test/bench measures (not a timed test): the generator, the real
 * engine and the Cedar policy built from the same generator agree on every request of one cycle.
 */
import { PolicyEngine, parseBundle } from "@flowzone/engine";
import { cedarDecider } from "./pdp/cedar";
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
});
