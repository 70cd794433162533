import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { FlowzoneError } from "@flowzone/errors";

import { SERVER_TLS_SETTINGS, serverTlsOf } from "./server-tls-settings";
import { readSettings } from "./settings";

const dir = mkdtempSync(path.join(tmpdir(), "flowzone-tls-spec-"));
const file = (name: string) => path.join(dir, name);

/** A self-signed certificate and its key, made with openssl (the files the settings name). */
function selfSigned(name: string): void {
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", file(`${name}.key`), "-out", file(`${name}.pem`), "-days", "1", "-subj", `/CN=${name}`], { stdio: "ignore" });
}

beforeAll(() => {
  selfSigned("a");
  selfSigned("b");
  writeFileSync(file("not-pem.txt"), "hello\n");
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function tlsOf(env: Record<string, string>) {
  return serverTlsOf(readSettings(SERVER_TLS_SETTINGS, { env }));
}

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FlowzoneError);
    expect((error as FlowzoneError).code).toBe("invalid_config");
    return (error as Error).message;
  }
  throw new Error("did not throw");
}

describe("server TLS settings", () => {
  it("are off with none of the three set", () => {
    expect(tlsOf({})).toBeUndefined();
  });

  it("give the files when the certificate and its key are given, with the client CA when set", () => {
    expect(tlsOf({ FLOWZONE_TLS_CERT: file("a.pem"), FLOWZONE_TLS_KEY: file("a.key") })).toEqual({ certFile: file("a.pem"), keyFile: file("a.key"), clientCaFile: undefined });
    expect(tlsOf({ FLOWZONE_TLS_CERT: file("a.pem"), FLOWZONE_TLS_KEY: file("a.key"), FLOWZONE_TLS_CLIENT_CA: file("b.pem") })).toMatchObject({ clientCaFile: file("b.pem") });
  });

  it.each([
    ["a certificate without its key", { FLOWZONE_TLS_CERT: "a.pem" }, "FLOWZONE_TLS_CERT: is set without FLOWZONE_TLS_KEY; TLS needs both the certificate and its key"],
    ["a key without its certificate", { FLOWZONE_TLS_KEY: "a.key" }, "FLOWZONE_TLS_KEY: is set without FLOWZONE_TLS_CERT; TLS needs both the certificate and its key"],
    [
      "a client CA without a certificate",
      { FLOWZONE_TLS_CLIENT_CA: "ca.pem" },
      "FLOWZONE_TLS_CLIENT_CA: is set without FLOWZONE_TLS_CERT and FLOWZONE_TLS_KEY; client certificates need a TLS server: set all three, or unset FLOWZONE_TLS_CLIENT_CA",
    ],
  ])("refuse %s, naming both variables", (_, env, message) => {
    expect(messageOf(() => tlsOf(env))).toBe(message);
  });

  it("refuse a missing file, naming the variable and the file", () => {
    expect(messageOf(() => tlsOf({ FLOWZONE_TLS_CERT: file("missing.pem"), FLOWZONE_TLS_KEY: file("a.key") }))).toMatch(/^FLOWZONE_TLS_CERT: \S+missing\.pem cannot be read \(ENOENT/);
    expect(messageOf(() => tlsOf({ FLOWZONE_TLS_CERT: file("a.pem"), FLOWZONE_TLS_KEY: file("a.key"), FLOWZONE_TLS_CLIENT_CA: file("no-ca.pem") }))).toMatch(/^FLOWZONE_TLS_CLIENT_CA: \S+no-ca\.pem cannot be read/);
  });

  it("refuse a file that is not PEM, naming the variable and the file", () => {
    expect(messageOf(() => tlsOf({ FLOWZONE_TLS_CERT: file("not-pem.txt"), FLOWZONE_TLS_KEY: file("a.key") }))).toMatch(/^FLOWZONE_TLS_CERT: \S+not-pem\.txt is not a PEM certificate/);
    expect(messageOf(() => tlsOf({ FLOWZONE_TLS_CERT: file("a.pem"), FLOWZONE_TLS_KEY: file("not-pem.txt") }))).toMatch(/^FLOWZONE_TLS_KEY: \S+not-pem\.txt is not an unencrypted PEM private key/);
    expect(messageOf(() => tlsOf({ FLOWZONE_TLS_CERT: file("a.pem"), FLOWZONE_TLS_KEY: file("a.key"), FLOWZONE_TLS_CLIENT_CA: file("not-pem.txt") }))).toMatch(/^FLOWZONE_TLS_CLIENT_CA: \S+not-pem\.txt is not a PEM certificate/);
  });

  it("refuse a key that is not the certificate's", () => {
    expect(messageOf(() => tlsOf({ FLOWZONE_TLS_CERT: file("a.pem"), FLOWZONE_TLS_KEY: file("b.key") }))).toBe(
      `FLOWZONE_TLS_CERT and FLOWZONE_TLS_KEY: ${file("b.key")} is not the private key of the certificate in ${file("a.pem")}`,
    );
  });
});
