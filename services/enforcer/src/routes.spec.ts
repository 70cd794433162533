import { parseRoutes } from "./routes";

const parse = (content: string): ReturnType<typeof parseRoutes> => parseRoutes({ path: "routes.yaml", content });

describe("parseRoutes", () => {
  it("reads routes with their defaults", () => {
    const result = parse(
      [
        "kind: Route",
        "name: orders-enrich",
        "from: orders",
        "to: orders-enriched",
        "producer: svc:orders-enricher",
        "---",
        "kind: Route",
        "name: watch",
        "from: clicks",
        "---",
        "kind: Route",
        "name: custom",
        "from: a",
        "to: b",
        "quarantine: b-held",
      ].join("\n"),
    );
    expect(result).toEqual({
      ok: true,
      routes: [
        { name: "orders-enrich", from: "orders", to: "orders-enriched", quarantine: "orders-enriched.quarantine", producer: "svc:orders-enricher" },
        { name: "watch", from: "clicks", to: undefined, quarantine: undefined, producer: "svc:flowzone-enforcer" },
        { name: "custom", from: "a", to: "b", quarantine: "b-held", producer: "svc:flowzone-enforcer" },
      ],
    });
  });

  it.each([
    ["an unknown key", "kind: Route\nname: r\nfrom: a\ntopic: b\n", "routes.yaml:4: unknown key \"topic\""],
    ["a missing name", "kind: Route\nfrom: a\n", "routes.yaml:1: route is missing required key \"name\""],
    ["a missing from", "kind: Route\nname: r\n", "routes.yaml:1: route is missing required key \"from\""],
    ["a malformed topic", "kind: Route\nname: r\nfrom: a\nto: \"b c\"\n", "routes.yaml:4: \"to\" is not a valid Kafka topic name"],
    ["a quarantine without to", "kind: Route\nname: r\nfrom: a\nquarantine: q\n", "routes.yaml:4: route \"r\" has a quarantine but no \"to\""],
    ["a bad producer", "kind: Route\nname: r\nfrom: a\nto: b\nproducer: enricher\n", "routes.yaml:5: \"producer\" must be an asset id"],
    ["a loop", "kind: Route\nname: r\nfrom: a\nto: a\n", "routes.yaml:4: route \"r\" writes back to its own source topic"],
    ["another kind", "kind: Zone\nname: r\nfrom: a\n", "routes.yaml:1: unknown kind \"Zone\""],
    ["a non-string name", "kind: Route\nname: [x]\nfrom: a\n", "routes.yaml:2: \"name\" of a route must be a non-empty string"],
    ["broken YAML", "kind: Route\nname: [r\n", "routes.yaml:"],
    ["an empty file", "", "routes.yaml:1: the routes file defines no route"],
  ])("rejects %s at its line", (_what, content, message) => {
    const result = parse(content);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
  });

  it("rejects a duplicate name naming the first definition", () => {
    const result = parse("kind: Route\nname: r\nfrom: a\n---\nkind: Route\nname: r\nfrom: b\n");
    expect(result).toEqual({ ok: false, errors: ["routes.yaml:5: duplicate route name \"r\"; first defined at line 1"] });
  });

  it("reports every error of the file, not only the first", () => {
    const result = parse("kind: Route\nname: r\nfrom: a\nbogus: 1\n---\nkind: Route\nname: s\n");
    expect(result.ok ? 0 : result.errors.length).toBe(2);
  });
});
