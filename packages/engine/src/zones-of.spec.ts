import { bananaZone, engineOf, LABELS, writeOf } from "./testing/bundles";
import type { Write } from "./types";
import { WriteError } from "./write-error";

const APPLE_ZONE = ["kind: Zone", "name: apple", "protects: [apple]", "members: [svc:apple-*]", "mode: off"].join("\n");
const engine = engineOf([...LABELS, APPLE_ZONE, bananaZone()]);

describe("PolicyEngine.zonesOf", () => {
  it.each<[string, Partial<Write>, string[]]>([
    ["no protected label", { labels: ["x"] }, []],
    ["a label of one zone", { labels: ["banana"] }, ["banana"]],
    ["a label through a source only", { sources: ["kafka:banana-events"] }, ["banana"]],
    ["labels of two zones, own and a source's, in bundle order", { labels: ["banana"], sources: ["table:dw.users"] }, ["apple", "banana"]],
    ["a zone whose mode is off", { labels: ["apple"] }, ["apple"]],
    ["a source with no labels", { sources: ["kafka:plain"] }, []],
  ])("answers the zones of a write with %s", (_what, fields, zones) => {
    expect(engine.zonesOf(writeOf(fields))).toEqual(zones);
  });

  it("throws a WriteError naming a label the bundle does not declare", () => {
    expect(() => engine.zonesOf(writeOf({ labels: ["banana", "mystery"] }))).toThrow(WriteError);
    expect(() => engine.zonesOf(writeOf({ labels: ["mystery"] }))).toThrow(/mystery/);
  });
});
