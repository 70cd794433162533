import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";

import { createLogger, type Logger } from "@flowzone/logging";

import { producerIdentity, type ProducerIdentity } from "./producer-identity";

const OLD = "the-old-token-0000000001";
const NEW = "the-new-token-0000000002";
const POLL_MS = 20;

/** A logger keeping the messages it writes, with their fields. */
function collecting(): { logger: Logger; lines: { level: number; msg: string; problem?: string }[] } {
  const lines: { level: number; msg: string; problem?: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString("utf8")) as { level: number; msg: string; problem?: string });
      done();
    },
  });
  return { logger: createLogger({ level: "info", format: "json", destination }), lines };
}

async function eventually(what: string, holds: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!holds()) {
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

const tokens = (...entries: [string, string][]): string => `tokens:\n${entries.map(([identity, token]) => `  - identity: ${identity}\n    token: ${token}\n`).join("")}`;

describe("the identities file, re-read when it changes", () => {
  let dir: string;
  let file: string;
  let identity: ProducerIdentity | undefined;
  let lines: ReturnType<typeof collecting>["lines"];

  /** Replaces the file by rename, as an operator should (a reader never sees it half written). */
  const replace = async (text: string): Promise<void> => {
    const next = `${file}.next`;
    await writeFile(next, text);
    await rename(next, file);
  };
  const who = (token: string): string => {
    try {
      return identity?.authenticator.authenticate({ certificate: undefined, authorization: [`Bearer ${token}`] }).identity ?? "nobody";
    } catch (error) {
      return (error as Error).message;
    }
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flowzone-identities-watch-"));
    file = path.join(dir, "identities.yaml");
    await writeFile(file, tokens(["svc:a", OLD]));
    const collected = collecting();
    lines = collected.lines;
    identity = producerIdentity({ identitiesFile: file, clientCertificates: false, tls: true }, collected.logger, POLL_MS);
  });
  afterEach(async () => {
    identity?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("stops accepting a token removed from the file, takes the new one, and logs the reload", async () => {
    expect(who(OLD)).toBe("svc:a");
    await replace(tokens(["svc:a", NEW]));
    await eventually("the old token is refused", () => who(OLD) === "the bearer token is not valid");
    expect(who(NEW)).toBe("svc:a");
    expect(lines.filter((line) => line.msg === "identities file reloaded")).toEqual([expect.objectContaining({ level: 30, file, tokens: 1 })]);
  });

  it("keeps the identities in force while the file does not parse, warning once per problem with its line", async () => {
    await replace(`${tokens(["svc:a", NEW])}  - identity: svc:b\n    token: short\n`);
    await eventually("a warning", () => lines.some((line) => line.level === 40));
    // Touched again with the same problem: no second warning.
    await replace(`${tokens(["svc:a", NEW])}  - identity: svc:b\n    token: short\n  `);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS * 10));
    const warnings = lines.filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toBe("the identities file changed but is not usable; the identities read before stay in force");
    expect(warnings[0]?.problem).toContain(`${file}:5: token of svc:b must be at least 16 characters without spaces`);
    expect(who(OLD)).toBe("svc:a");
    expect(who(NEW)).toBe("the bearer token is not valid");

    await replace(tokens(["svc:a", NEW]));
    await eventually("the fixed file is taken", () => who(NEW) === "svc:a");
    expect(who(OLD)).toBe("the bearer token is not valid");
  });

  it("refuses a change that could never apply (no tokens and no client CA), keeping the old file", async () => {
    await replace('speaksFor:\n  svc:a: ["*"]\n');
    await eventually("a warning", () => lines.some((line) => line.level === 40));
    expect(lines.find((line) => line.level === 40)?.problem).toMatch(/has no tokens and FLOWZONE_TLS_CLIENT_CA is not set/);
    expect(who(OLD)).toBe("svc:a");
  });

  it("reads nothing more once closed", async () => {
    identity?.close();
    await replace(tokens(["svc:a", NEW]));
    await new Promise((resolve) => setTimeout(resolve, POLL_MS * 10));
    expect(who(OLD)).toBe("svc:a");
    expect(lines.filter((line) => line.msg === "identities file reloaded")).toEqual([]);
  });
});
