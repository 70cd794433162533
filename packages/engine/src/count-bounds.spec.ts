import { DEFAULT_MAX_LABELS, DEFAULT_MAX_SOURCES } from "./count-bounds";
import { engineOf, errorsOf, LABELS, writeOf } from "./testing/bundles";
import { WriteError } from "./write-error";

const engine = engineOf([...LABELS, "kind: Zone\nname: banana\nprotects: [banana]"]);
const labels = (n: number): string[] => Array.from({ length: n }, () => "banana");
const sources = (n: number): string[] => Array.from({ length: n }, () => "kafka:plain");

function rejection(decide: () => unknown): WriteError {
  try {
    decide();
  } catch (error) {
    if (error instanceof WriteError) return error;
    throw error;
  }
  throw new Error("expected a WriteError");
}

describe("count bounds of a write", () => {
  it("accepts as many labels and sources as the defaults allow", () => {
    expect(() => engine.decide(writeOf({ labels: labels(DEFAULT_MAX_LABELS), sources: sources(DEFAULT_MAX_SOURCES) }))).not.toThrow();
  });

  it.each([
    ["labels", writeOf({ labels: labels(DEFAULT_MAX_LABELS + 1) }), `labels lists 65 entries; the most accepted is 64 (maxLabels of the bundle's Defaults)`],
    ["sources", writeOf({ sources: sources(DEFAULT_MAX_SOURCES + 1) }), `sources lists 65 entries; the most accepted is 64 (maxSources of the bundle's Defaults)`],
  ])("refuses one %s over the default as over_limit, naming the field and the limit", (field, write, message) => {
    expect(rejection(() => engine.decide(write))).toMatchObject({ code: "over_limit", field, value: "65", message });
  });

  it("honours maxLabels and maxSources of the bundle's Defaults", () => {
    const strict = engineOf([...LABELS, "kind: Defaults\nmaxLabels: 2\nmaxSources: 1", "kind: Zone\nname: banana\nprotects: [banana]"]);
    expect(() => strict.decide(writeOf({ labels: labels(2), sources: sources(1) }))).not.toThrow();
    expect(rejection(() => strict.decide(writeOf({ labels: labels(3) }))).message).toBe("labels lists 3 entries; the most accepted is 2 (maxLabels of the bundle's Defaults)");
    expect(rejection(() => strict.decide(writeOf({ sources: sources(2) }))).message).toBe("sources lists 2 entries; the most accepted is 1 (maxSources of the bundle's Defaults)");
  });

  it.each(["maxLabels: 0", "maxSources: 10001", "maxLabels: many"])("refuses a Defaults document with %s", (line) => {
    expect(errorsOf({ "defaults.yaml": `kind: Defaults\n${line}\n` })).toEqual([expect.stringMatching(/^defaults\.yaml:2: "max(Labels|Sources)" of the Defaults document must be a whole number from 1 to 10000/)]);
  });
});
