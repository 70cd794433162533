import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { FlowzoneError } from "@flowzone/errors";

import { parseIdentityFile, readIdentityFile } from "./identity-file";

const sha256 = (token: string): string => createHash("sha256").update(token).digest("hex");

const FULL = `
trustDomains: [example.org, prod.example]
certificates:
  - uri: spiffe://example.org/ns/prod/sa/billing
    identity: svc:billing
  - dns: gw.internal.example
    identity: svc:gateway
  - email: exporter@example.org
    identity: svc:exporter
  - commonName: legacy-exporter
    identity: svc:legacy-exporter
tokens:
  - identity: svc:batch-loader
    sha256: ${sha256("batch-loader-secret-0123")}
  - identity: svc:dev-tool
    token: dev-tool-secret-0123456
speaksFor:
  svc:flowzone-enforcer: ["*"]
  svc:gateway: ["svc:web-*", "app:checkout"]
`;

/** The problems a file is refused for, one `file:line: message` each. */
function problems(text: string): string[] {
  try {
    parseIdentityFile(text, "ids.yaml");
  } catch (error) {
    if (!(error instanceof FlowzoneError)) throw error;
    expect(error.code).toBe("invalid_config");
    return error.message.split("\n").slice(1);
  }
  throw new Error("expected the file to be refused");
}

describe("parseIdentityFile", () => {
  it("reads trust domains, certificate mappings, tokens (plain ones kept only as digests) and speaksFor grants", () => {
    const config = parseIdentityFile(FULL, "ids.yaml");
    expect(config.trustDomains).toEqual(["example.org", "prod.example"]);
    expect(config.certificates).toEqual([
      { field: "uri", value: "spiffe://example.org/ns/prod/sa/billing", identity: "svc:billing" },
      { field: "dns", value: "gw.internal.example", identity: "svc:gateway" },
      { field: "email", value: "exporter@example.org", identity: "svc:exporter" },
      { field: "commonName", value: "legacy-exporter", identity: "svc:legacy-exporter" },
    ]);
    expect(config.tokens.map((token) => [token.identity, token.sha256.toString("hex")])).toEqual([
      ["svc:batch-loader", sha256("batch-loader-secret-0123")],
      ["svc:dev-tool", sha256("dev-tool-secret-0123456")],
    ]);
    expect(JSON.stringify(config)).not.toContain("dev-tool-secret");
    expect([...config.speaksFor]).toEqual([
      ["svc:flowzone-enforcer", ["*"]],
      ["svc:gateway", ["svc:web-*", "app:checkout"]],
    ]);
  });

  it("takes an empty mapping: no trust-domain limit, nothing mapped, no tokens, no grants", () => {
    expect(parseIdentityFile("{}", "ids.yaml")).toEqual({ trustDomains: undefined, certificates: [], tokens: [], speaksFor: new Map() });
  });

  it.each<[string, string, string[]]>([
    ["not a mapping", "- a\n", ["ids.yaml:1: expected a mapping with any of trustDomains, certificates, tokens, speaksFor"]],
    ["an unknown top-level key", "speaks_for: {}\n", ['ids.yaml:1: unknown key "speaks_for"; the file has trustDomains, certificates, tokens, speaksFor']],
    ["invalid YAML", "tokens: [\n", [expect.stringMatching(/^ids\.yaml:\d+: /)]],
    ["a duplicate key", "speaksFor: {}\nspeaksFor: {}\n", [expect.stringMatching(/^ids\.yaml:2: .*unique/i)]],
    ["an empty trustDomains", "trustDomains: []\n", ['ids.yaml:1: "trustDomains" must be a non-empty list of SPIFFE trust domains, e.g. [example.org]']],
    ["a trust domain with a scheme", "trustDomains: [spiffe://example.org]\n", ['ids.yaml:1: trust domain "spiffe://example.org" is not one (lower-case letters, digits, dots, dashes, underscores; no scheme or path)']],
    [
      "a mapping without its field, one with two, a bad identity, an unknown key",
      "certificates:\n  - identity: svc:a\n  - uri: x\n    dns: y\n    identity: svc:b\n  - uri: spiffe://td/x/y/z\n    identity: SVC:c\n  - url: x\n    identity: svc:d\n",
      [
        "ids.yaml:2: missing the certificate field: a certificate mapping has identity and one of uri, dns, email, commonName",
        "ids.yaml:3: uri and dns in one mapping: a certificate mapping has identity and one of uri, dns, email, commonName",
        'ids.yaml:7: "identity" "SVC:c" is not a well-formed asset id (<kind>:<name>, e.g. svc:orders-enricher)',
        'ids.yaml:8: unknown key "url"; a certificate mapping has identity and one of uri, dns, email, commonName',
        "ids.yaml:8: missing the certificate field: a certificate mapping has identity and one of uri, dns, email, commonName",
      ],
    ],
    [
      "a short token, a bad digest, both secrets, none, a missing identity",
      `tokens:\n  - identity: svc:a\n    token: short\n  - identity: svc:b\n    sha256: ${sha256("x").toUpperCase()}\n  - identity: svc:c\n    token: long-enough-token-0001\n    sha256: ${sha256("y")}\n  - identity: svc:d\n  - token: long-enough-token-0002\n`,
      [
        "ids.yaml:3: token of svc:a must be at least 16 characters without spaces",
        'ids.yaml:5: sha256 of svc:b must be 64 lower-case hex digits (printf %s "$TOKEN" | sha256sum)',
        "ids.yaml:6: token and sha256 in one entry: a token has identity and either token (the secret) or sha256 (its hex SHA-256 digest)",
        "ids.yaml:9: missing the secret: a token has identity and either token (the secret) or sha256 (its hex SHA-256 digest)",
        'ids.yaml:10: missing "identity"',
      ],
    ],
    [
      "one token given twice, once plain and once as its digest",
      `tokens:\n  - identity: svc:a\n    token: the-same-secret-0001\n  - identity: svc:b\n    sha256: ${sha256("the-same-secret-0001")}\n`,
      ["ids.yaml:4: duplicate token (identities svc:a and svc:b); every token must be unique"],
    ],
    [
      "speaksFor with a bad identity, an empty list, a bad pattern",
      'speaksFor:\n  gateway: ["svc:*"]\n  svc:a: []\n  svc:b: ["**", "svc:web-*"]\n',
      [
        'ids.yaml:2: a speaksFor key "gateway" is not a well-formed asset id (<kind>:<name>, e.g. svc:orders-enricher)',
        'ids.yaml:3: speaksFor of svc:a must be a non-empty list of producer patterns ("*" for any producer)',
        'ids.yaml:4: producer pattern "**" of svc:b is not an asset id or pattern (svc:orders, svc:web-*, or * for any producer)',
      ],
    ],
  ])("refuses %s, naming each problem with its line", (_name, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });
});

describe("readIdentityFile", () => {
  it("reads the file, and names it when it cannot", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "flowzone-ids-"));
    try {
      const file = path.join(dir, "identities.yaml");
      await writeFile(file, FULL);
      expect(readIdentityFile(file).tokens).toHaveLength(2);
      expect(() => readIdentityFile(path.join(dir, "missing.yaml"))).toThrow(`${path.join(dir, "missing.yaml")}:0: cannot read the identities file`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
