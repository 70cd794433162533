import { parseSubjectAltNames, spiffeAssetId } from "./subject-alt-names";

describe("parseSubjectAltNames", () => {
  it.each<[string, string | undefined, [string, string][]]>([
    ["nothing", undefined, []],
    ["an empty text", "", []],
    ["one URI", "URI:spiffe://example.org/svc/a", [["URI", "spiffe://example.org/svc/a"]]],
    [
      "several SANs of several types, as Node joins them",
      "DNS:gw.example, URI:spiffe://example.org/svc/a, email:a@b.c, IP Address:127.0.0.1",
      [["DNS", "gw.example"], ["URI", "spiffe://example.org/svc/a"], ["email", "a@b.c"], ["IP Address", "127.0.0.1"]],
    ],
    // Node quotes a value holding a comma (CVE-2021-44532), so a crafted SAN cannot pass for two.
    [
      "a JSON-quoted value holding a comma stays one SAN",
      'URI:spiffe://example.org/svc/a, URI:"spiffe://example.org/x\\u002c URI:spiffe://example.org/svc/b"',
      [["URI", "spiffe://example.org/svc/a"], ["URI", "spiffe://example.org/x, URI:spiffe://example.org/svc/b"]],
    ],
    ["an unterminated quote ends the list", 'URI:spiffe://example.org/svc/a, URI:"spiffe://x', [["URI", "spiffe://example.org/svc/a"]]],
    ["text without a type ends the list", "URI:spiffe://example.org/svc/a, garbage", [["URI", "spiffe://example.org/svc/a"]]],
  ])("reads %s", (_name, text, expected) => {
    expect(parseSubjectAltNames(text).map((name) => [name.type, name.value])).toEqual(expected);
  });
});

describe("spiffeAssetId", () => {
  it.each<[string, string, string | undefined]>([
    ["<kind>/<name> is <kind>:<name>", "spiffe://example.org/svc/marketing-sync", "svc:marketing-sync"],
    ["any kind the asset-id syntax takes", "spiffe://prod.corp_1/app/web.frontend-2", "app:web.frontend-2"],
    ["a name with upper case and underscores", "spiffe://example.org/svc/Orders_API", "svc:Orders_API"],
    ["one segment: no identity", "spiffe://example.org/marketing-sync", undefined],
    ["three or more segments need a mapping", "spiffe://example.org/ns/prod/sa/billing", undefined],
    ["a trailing slash is an empty segment", "spiffe://example.org/svc/a/", undefined],
    ["an empty name", "spiffe://example.org/svc/", undefined],
    ["an upper-case kind is not an asset id", "spiffe://example.org/Svc/a", undefined],
    ["a kind starting with a digit", "spiffe://example.org/1svc/a", undefined],
    ["a colon in the name", "spiffe://example.org/svc/a:b", undefined],
    ["a percent-encoded name", "spiffe://example.org/svc/a%2Fb", undefined],
    ["no path", "spiffe://example.org", undefined],
    ["an empty trust domain", "spiffe:///svc/a", undefined],
    ["an upper-case trust domain", "spiffe://Example.org/svc/a", undefined],
    ["a port in the trust domain", "spiffe://example.org:443/svc/a", undefined],
    ["a query", "spiffe://example.org/svc/a?x=1", undefined],
    ["another scheme", "https://example.org/svc/a", undefined],
    ["an upper-case scheme", "SPIFFE://example.org/svc/a", undefined],
  ])("%s: %s", (_name, uri, expected) => {
    expect(spiffeAssetId(uri)).toBe(expected);
  });

  it("takes only the listed trust domains when some are", () => {
    const domains = new Set(["example.org"]);
    expect(spiffeAssetId("spiffe://example.org/svc/a", domains)).toBe("svc:a");
    expect(spiffeAssetId("spiffe://evil.example/svc/a", domains)).toBeUndefined();
  });
});
