import { FlowzoneError } from "@flowzone/errors";

import { CallerAuthenticator, type CallerCredentials } from "./caller-authenticator";
import { parseIdentityFile } from "./identity-file";

const TOKEN = "batch-loader-secret-0123";

const authenticator = new CallerAuthenticator(
  parseIdentityFile(
    `
certificates:
  - uri: spiffe://example.org/ns/prod/sa/billing
    identity: svc:billing
  - uri: spiffe://example.org/svc/renamed
    identity: svc:new-name
  - dns: gw.internal.example
    identity: svc:gateway
  - commonName: legacy-exporter
    identity: svc:legacy-exporter
tokens:
  - identity: svc:batch-loader
    token: ${TOKEN}
  - identity: svc:marketing-sync
    token: marketing-sync-secret-01
speaksFor:
  svc:flowzone-enforcer: ["*"]
  svc:gateway: ["svc:web-*", "app:checkout"]
`,
    "ids.yaml",
  ),
);

const certificate = (subjectaltname: string | undefined, cn = "client"): CallerCredentials["certificate"] =>
  ({ subjectaltname, subject: { CN: cn } });

function refusal(credentials: CallerCredentials, auth = authenticator): string {
  try {
    auth.authenticate(credentials);
  } catch (error) {
    if (!(error instanceof FlowzoneError)) throw error;
    expect(error.code).toBe("unauthenticated");
    return error.message;
  }
  throw new Error("expected the caller to be refused");
}

describe("CallerAuthenticator", () => {
  describe("client certificates", () => {
    it.each<[string, string | undefined, string, string]>([
      ["a SPIFFE URI SAN by the SPIFFE rule", "URI:spiffe://example.org/svc/marketing-sync", "client", "svc:marketing-sync"],
      ["a SPIFFE id of any trust domain when none is listed", "URI:spiffe://other.example/app/web", "client", "app:web"],
      ["a mapped URI SAN the SPIFFE rule cannot read", "URI:spiffe://example.org/ns/prod/sa/billing", "client", "svc:billing"],
      ["a mapping over the SPIFFE rule", "URI:spiffe://example.org/svc/renamed", "client", "svc:new-name"],
      ["a mapped DNS SAN", "DNS:gw.internal.example", "client", "svc:gateway"],
      ["a mapped common name", undefined, "legacy-exporter", "svc:legacy-exporter"],
      ["the one identity among SANs that name none", "DNS:host.example, URI:https://example.org/x, URI:spiffe://example.org/svc/a, IP Address:10.0.0.1", "client", "svc:a"],
      ["two SANs naming the same identity", "URI:spiffe://example.org/svc/a, URI:spiffe://prod.example/svc/a", "client", "svc:a"],
    ])("names the caller by %s", (_name, sans, cn, identity) => {
      expect(authenticator.authenticate({ certificate: certificate(sans, cn), authorization: [] })).toEqual({ identity, credential: "client_certificate" });
    });

    it("refuses a certificate that names no identity, listing what it has", () => {
      expect(refusal({ certificate: certificate("DNS:host.example, URI:spiffe://example.org/a/b/c"), authorization: [] })).toBe(
        "the client certificate names no producer identity (it has DNS:host.example, URI:spiffe://example.org/a/b/c, CN=client): give it a URI SAN spiffe://<trust-domain>/<kind>/<name>, or map it under certificates in the identities file",
      );
      expect(refusal({ certificate: certificate(undefined), authorization: [] })).toMatch(/^the client certificate names no producer identity \(it has CN=client\)/);
    });

    it("refuses a certificate naming several identities", () => {
      expect(refusal({ certificate: certificate("URI:spiffe://example.org/svc/a, URI:spiffe://example.org/svc/b"), authorization: [] })).toBe(
        "the client certificate names several identities (svc:a, svc:b); a certificate must name exactly one",
      );
    });

    it("takes SPIFFE ids of the listed trust domains only, when some are", () => {
      const limited = new CallerAuthenticator(parseIdentityFile("trustDomains: [example.org]\n", "ids.yaml"));
      expect(limited.authenticate({ certificate: certificate("URI:spiffe://example.org/svc/a"), authorization: [] }).identity).toBe("svc:a");
      expect(refusal({ certificate: certificate("URI:spiffe://evil.example/svc/a"), authorization: [] }, limited)).toMatch(/names no producer identity .* of trust domain example\.org,/);
    });
  });

  describe("bearer tokens", () => {
    it.each([`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `Bearer  ${TOKEN} `])("names the token's identity from %p", (authorization) => {
      expect(authenticator.authenticate({ certificate: undefined, authorization: [authorization] })).toEqual({ identity: "svc:batch-loader", credential: "bearer_token" });
    });

    it.each<[string, string[], string]>([
      ["an unknown token", ["Bearer not-a-known-token-at-all"], "the bearer token is not valid"],
      ["a prefix of a valid token", [`Bearer ${TOKEN.slice(0, -1)}`], "the bearer token is not valid"],
      ["a scheme other than Bearer", [`Basic ${TOKEN}`], "malformed authorization metadata: expected 'Bearer <token>'"],
      ["a bare token", [TOKEN], "malformed authorization metadata: expected 'Bearer <token>'"],
      ["two values", [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`], "the call carries 2 authorization values; send one 'authorization: Bearer <token>'"],
      ["no credential at all", [], "the decision service authenticates its callers: present a client certificate (mTLS) or send the metadata 'authorization: Bearer <token>'"],
    ])("refuses %s", (_name, authorization, message) => {
      expect(refusal({ certificate: undefined, authorization })).toBe(message);
    });
  });

  describe("a certificate and a token on one call", () => {
    it("takes them when they name the same identity", () => {
      expect(authenticator.authenticate({ certificate: certificate("URI:spiffe://example.org/svc/batch-loader"), authorization: [`Bearer ${TOKEN}`] })).toEqual({
        identity: "svc:batch-loader",
        credential: "client_certificate",
      });
    });

    it("refuses them when they name two", () => {
      expect(refusal({ certificate: certificate("URI:spiffe://example.org/svc/a"), authorization: [`Bearer ${TOKEN}`] })).toBe(
        "the client certificate names svc:a but the bearer token names svc:batch-loader; a call is one caller",
      );
    });

    it("refuses an invalid token even beside a good certificate", () => {
      expect(refusal({ certificate: certificate("URI:spiffe://example.org/svc/a"), authorization: ["Bearer not-a-known-token-at-all"] })).toBe("the bearer token is not valid");
    });
  });

  describe("maySpeakFor", () => {
    it.each<[string, string, boolean]>([
      ["svc:a", "svc:a", true],
      ["svc:a", "svc:b", false],
      ["svc:a", "svc:a-2", false],
      ["svc:flowzone-enforcer", "svc:anything", true],
      ["svc:flowzone-enforcer", "kafka:x", true],
      ["svc:flowzone-enforcer", "", true],
      ["svc:gateway", "svc:gateway", true],
      ["svc:gateway", "svc:web-frontend", true],
      ["svc:gateway", "svc:web-", true],
      ["svc:gateway", "svc:web", false],
      ["svc:gateway", "svc:api-web-x", false],
      ["svc:gateway", "app:checkout", true],
      ["svc:gateway", "app:checkout-2", false],
      ["svc:unknown", "svc:web-frontend", false],
    ])("%s may speak for %p: %p", (identity, producer, allowed) => {
      expect(authenticator.maySpeakFor(identity, producer)).toBe(allowed);
    });
  });
});
