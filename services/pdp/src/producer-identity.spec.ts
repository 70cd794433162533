import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { Writable } from "node:stream";

import { createLogger, type Logger } from "@flowzone/logging";

import { producerIdentity } from "./producer-identity";

const logger = createLogger({ level: "silent" });

/** A logger keeping the messages it writes, by level. */
function collecting(): { logger: Logger; messages: { level: number; msg: string }[] } {
  const messages: { level: number; msg: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = JSON.parse(chunk.toString("utf8")) as { level: number; msg: string };
      messages.push({ level: line.level, msg: line.msg });
      done();
    },
  });
  return { logger: createLogger({ level: "info", format: "json", destination }), messages };
}

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

  it("authenticates nobody without a client CA and without a file, and warns that producers are not authenticated", () => {
    const { logger: warned, messages } = collecting();
    expect(producerIdentity({ identitiesFile: undefined, clientCertificates: false, tls: false }, warned)).toBeUndefined();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.level).toBe(40);
    expect(messages[0]?.msg).toMatch(/^producers are not authenticated: any caller may claim any producer/);
  });

  it("authenticates client certificates by the SPIFFE rule alone with a client CA and no file", () => {
    const authenticator = producerIdentity({ identitiesFile: undefined, clientCertificates: true, tls: true }, logger)?.authenticator;
    const certificate = { subjectaltname: "URI:spiffe://example.org/svc/a", subject: { CN: "a" } } as never;
    expect(authenticator?.authenticate({ certificate, authorization: [] })).toEqual({ identity: "svc:a", credential: "client_certificate" });
    expect(authenticator?.maySpeakFor("svc:a", "svc:b")).toBe(false);
  });

  it("authenticates tokens without a client CA, warning when they travel in plaintext", async () => {
    const identities = await file("tokens.yaml", "tokens:\n  - identity: svc:t\n    token: a-token-of-twenty-chars\n");
    const { logger: warned, messages } = collecting();
    const identity = producerIdentity({ identitiesFile: identities, clientCertificates: false, tls: false }, warned);
    identity?.close();
    expect(identity?.authenticator.authenticate({ certificate: undefined, authorization: ["Bearer a-token-of-twenty-chars"] }).identity).toBe("svc:t");
    expect(messages.map((m) => [m.level, m.msg])).toEqual([
      [40, "bearer tokens are accepted over plaintext gRPC: anyone on the path can read them (set FLOWZONE_TLS_CERT and FLOWZONE_TLS_KEY)"],
      [30, "producers are authenticated (bearer tokens); a caller may claim only the producers it speaks for"],
    ]);
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
    expect(() => producerIdentity({ identitiesFile: identities, clientCertificates: false, tls: true }, logger)).toThrow(message);
  });
});
