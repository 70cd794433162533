import { execFileSync } from "node:child_process";
import fs, { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { createLogger } from "@flowzone/logging";

import { DEFAULTS } from "./defaults";
import { startDecisionService } from "./start-decision-service";

const dir = mkdtempSync(path.join(tmpdir(), "flowzone-pdp-start-spec-"));
const file = (name: string) => path.join(dir, name);

beforeAll(() => {
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", file("server.key"), "-out", file("server.pem"), "-days", "1", "-subj", "/CN=pdp"], { stdio: "ignore" });
  writeFileSync(file("identities.yaml"), "tokens:\n  - identity: svc:a\n    token: a-token-of-twenty-chars\n");
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  jest.restoreAllMocks();
});

describe("startDecisionService", () => {
  it("stops watching its certificate and identities files when a later start-up step fails", async () => {
    const watched: [string, unknown][] = [];
    const unwatched: [string, unknown][] = [];
    const watchFile = fs.watchFile;
    jest.spyOn(fs, "watchFile").mockImplementation(((name: string, options: object, listener: () => void) => {
      watched.push([name, listener]);
      return watchFile(name, options, listener);
    }) as typeof fs.watchFile);
    const unwatchFile = fs.unwatchFile;
    jest.spyOn(fs, "unwatchFile").mockImplementation(((name: string, listener: () => void) => {
      unwatched.push([name, listener]);
      unwatchFile(name, listener);
    }) as typeof fs.unwatchFile);

    const missing = file("no-such-policy-dir");
    await expect(
      startDecisionService({
        policyDir: missing,
        host: "127.0.0.1",
        port: 0,
        reloadIntervalMs: 60_000,
        limits: DEFAULTS.limits,
        logger: createLogger({ level: "silent" }),
        tls: { certFile: file("server.pem"), keyFile: file("server.key"), clientCaFile: undefined },
        identitiesFile: file("identities.yaml"),
      }),
    ).rejects.toThrow(missing);

    // Started before the policy directory was read, so the failure came after them.
    expect(watched.map(([name]) => name).sort()).toEqual([file("identities.yaml"), file("server.key"), file("server.pem")]);
    expect(unwatched).toEqual(expect.arrayContaining(watched));
    expect(unwatched).toHaveLength(watched.length);
  });
});
