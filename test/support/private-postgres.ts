/**
 * A PostgreSQL server of a test's own, for fault tests that stop, kill or restart the database:
 * the shared server on 127.0.0.1:5432 serves other test files at the same time and must never be
 * disturbed. Built with the machine's `initdb` and `pg_ctl` in a temporary folder, on a free port,
 * trust authentication on loopback only. PostgreSQL refuses to run as root, so as root the
 * binaries run as the `postgres` user, which then owns the folder.
 */
import { execFile } from "node:child_process";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`; the same across restarts. */
  readonly url: string;
  readonly port: number;
  /** Stops gracefully (fast shutdown: open sessions are ended). */
  stop(): Promise<void>;
  /** Stops at once, as a crash would (immediate shutdown: no checkpoint, recovery on start). */
  kill(): Promise<void>;
  /** Starts again on the same port and data after stop() or kill(). */
  start(): Promise<void>;
  /** Stops and removes the data folder. */
  dispose(): Promise<void>;
}

/** Initialises and starts a private PostgreSQL server. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "flowzone-private-pg-"));
  const dataDir = path.join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: group } = await run("id", ["-g", "postgres"]);
    await chown(dir, Number(stdout.trim()), Number(group.trim()));
  }
  const pg = (tool: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> =>
    asRoot ? run("runuser", ["-u", "postgres", "--", tool, ...args]) : run(tool, args);
  const port = await freePort();
  await pg("initdb", ["--pgdata", dataDir, "--username", "postgres", "--auth", "trust", "--no-sync", "--encoding", "UTF8"]);
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories='' -c fsync=off -c max_connections=50`;
  const ctl = (args: readonly string[]): Promise<unknown> => pg("pg_ctl", ["--pgdata", dataDir, ...args]);
  const start = async (): Promise<void> => {
    await ctl(["--wait", "--timeout", "60", "--log", path.join(dir, "postgres.log"), "--options", options, "start"]);
  };
  const stopWith = async (mode: "fast" | "immediate"): Promise<void> => {
    await ctl(["--wait", "--mode", mode, "stop"]).catch((error: unknown) => {
      // Already stopped is fine; anything else is a failure to stop.
      if (!String((error as { stderr?: unknown }).stderr ?? error).includes("Is server running?")) throw error;
    });
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => stopWith("fast"),
    kill: () => stopWith("immediate"),
    start,
    async dispose() {
      await stopWith("immediate");
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A port free now on loopback (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === "object") resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}
