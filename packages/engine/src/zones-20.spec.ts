import { PolicyEngine } from "./policy-engine";
import { bundleOf } from "./testing/bundles";
import type { Write } from "./types";

/** The "zones-20" reference workload (test/bench/README.md, "Workloads"). */
function zones20(): PolicyEngine {
  const documents: string[] = [];
  for (let i = 0; i < 25; i++) documents.push(`kind: Label\nname: label-${i}`);
  documents.push("kind: Label\nname: x");
  for (let i = 0; i < 20; i++) {
    const members = Array.from({ length: 10 }, (_, j) => `svc:sink-${i}-${j}`).join(", ");
    documents.push(`kind: Zone\nname: z${i}\nprotects: [label-${i}]\nmembers: [${members}]\nmode: enforcement`);
  }
  return PolicyEngine.compile(bundleOf(...documents));
}

function request(k: number): Write {
  return {
    producer: `svc:p-${k % 50}`,
    sink: `svc:sink-${k % 20}-${k % 13}`,
    labels: [`label-${k % 25}`, "x"],
    sources: [],
    purpose: "",
  };
}

describe("zones-20 workload", () => {
  it.each([0, 1234, 99_999])("denies exactly 4200 of 6500 consecutive requests starting at %d", (start) => {
    const engine = zones20();
    let denied = 0;
    for (let k = start; k < start + 6500; k++) if (!engine.decide(request(k)).allow) denied++;
    expect(denied).toBe(4200);
  });
});
