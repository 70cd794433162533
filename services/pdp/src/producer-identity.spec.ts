import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { createLogger } from "@flowzone/logging";

import { producerIdentity } from "./producer-identity";

const logger = createLogger({ level: "silent" });

describe("producerIdentity", () => {
  let dir: string;
  const file = async (name: string, text: string): Promise<string> => {
    const at = path.join(dir, name);
    await writeFile(at, text);
    return at;
  };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flowzone-identity-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("authenticates nobody without a client CA and without a file: every producer is taken as claimed", async () => {
    expect(await producerIdentity({ identitiesFile: undefined, clientCertificates: false, tls: false }, logger)).toBeUndefined();
  });

  it("authenticates client certificates by the SPIFFE rule alone with a client CA and no file", async () => {
    const authenticator = await producerIdentity({ identitiesFile: undefined, clientCertificates: true, tls: true }, logger);
    const certificate = { subjectaltname: "URI:spiffe://example.org/svc/a", subject: { CN: "a" } } as never;
    expect(authenticator?.authenticate({ certificate, authorization: [] })).toEqual({ identity: "svc:a", credential: "client_certificate" });
    expect(authenticator?.maySpeakFor("svc:a", "svc:b")).toBe(false);
  });

  it("authenticates tokens without a client CA", async () => {
    const identities = await file("tokens.yaml", "tokens:\n  - identity: svc:t\n    token: a-token-of-twenty-chars\n");
    const authenticator = await producerIdentity({ identitiesFile: identities, clientCertificates: false, tls: false }, logger);
    expect(authenticator?.authenticate({ certificate: undefined, authorization: ["Bearer a-token-of-twenty-chars"] }).identity).toBe("svc:t");
  });

  it.each([
    ["no tokens and no client CA", "speaksFor:\n  svc:a: [\"*\"]\n", /has no tokens and FLOWZONE_TLS_CLIENT_CA is not set, so no caller could be authenticated/],
    [
      "certificate mappings without a client CA",
      "certificates:\n  - dns: a.example\n    identity: svc:a\ntrustDomains: [example.org]\ntokens:\n  - identity: svc:t\n    token: a-token-of-twenty-chars\n",
      /has certificates and trustDomains, which apply only to client certificates, but FLOWZONE_TLS_CLIENT_CA is not set/,
    ],
  ])("refuses a file that could never apply: %s", async (_name, text, message) => {
    const identities = await file("useless.yaml", text);
    await expect(producerIdentity({ identitiesFile: identities, clientCertificates: false, tls: true }, logger)).rejects.toThrow(message);
  });
});
