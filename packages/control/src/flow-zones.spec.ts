import { parseBundle, type Bundle } from "@flowzone/engine";

import type { InventoriedFlow } from "./flow-store";
import { withZones, zoneReach } from "./flow-zones";

function bundleOf(text: string): Bundle {
  const result = parseBundle([{ path: "bundle.yaml", content: text }]);
  if (!result.ok) throw new Error("the test bundle does not load");
  return result.bundle;
}

const BUNDLE = bundleOf(
  [
    "kind: Label\nname: banana",
    "kind: Label\nname: apple",
    "kind: Asset\nid: kafka:carts\nlabels: [apple]",
    "kind: Zone\nname: banana\nprotects: [banana]\nmembers: [svc:banana-*]",
    "kind: Zone\nname: apple\nprotects: [apple]\nmembers: [svc:apple-*]",
  ].join("\n---\n"),
);

function flow(fields: Partial<InventoriedFlow>): InventoriedFlow {
  return { signature: "s", producer: "svc:app", sink: "kafka:out", labels: [], sources: [], purpose: "", count: 1, firstSeenMs: 0, lastSeenMs: 1000, ...fields };
}

describe("withZones", () => {
  it.each<[string, Partial<InventoriedFlow>, string[]]>([
    ["its own label", { labels: ["banana"] }, ["banana"]],
    ["a source's label, in bundle order after its own", { labels: ["banana"], sources: ["kafka:carts"] }, ["banana", "apple"]],
    ["no protected label", {}, []],
    ["a label the policy does not declare", { labels: ["banana", "mystery"] }, []],
    ["a source the policy does not know", { sources: ["kafka:gone"] }, []],
  ])("gives a flow with %s the zones it touches", (_what, fields, zones) => {
    expect(withZones(BUNDLE, [flow(fields)])[0]?.zones).toEqual(zones);
  });

  it("keeps the flow as the store gave it, with dates", () => {
    expect(withZones(BUNDLE, [flow({ labels: ["apple"], count: 7, purpose: "ads" })])).toEqual([
      { signature: "s", producer: "svc:app", sink: "kafka:out", labels: ["apple"], sources: [], purpose: "ads", zones: ["apple"], count: 7, firstSeen: new Date(0), lastSeen: new Date(1000) },
    ]);
  });
});

describe("zoneReach", () => {
  it("names the labels a zone protects and the assets that carry one", () => {
    const reach = (name: string) => {
      const zone = BUNDLE.zones.find((candidate) => candidate.name === name);
      if (zone === undefined) throw new Error(`no zone ${name}`);
      return zoneReach(BUNDLE, zone);
    };
    expect(reach("apple")).toEqual({ labels: ["apple"], sources: ["kafka:carts"] });
    expect(reach("banana")).toEqual({ labels: ["banana"], sources: [] });
  });
});
