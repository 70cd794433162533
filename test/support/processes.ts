/**
 * Child processes under test (the built `flowzone` command, `npm start`, …): their output kept
 * to assert on and to explain a failure, waits that fail at once when the process exits early,
 * and cleanup that cannot be forgotten: whatever a test file leaves running is killed after its
 * last test (jest's afterAll, registered when a test file first imports this module), and on
 * exit of the worker as a last resort.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

import { waitFor } from "./poll";

/** The repository's root. */
export const REPO_ROOT = path.join(__dirname, "..", "..");

/** The built `flowzone` command; `npm test` builds it before jest runs. */
export const FLOWZONE_MAIN = path.join(REPO_ROOT, "services", "cli", "dist", "main.js");

export interface StartOptions {
  readonly cwd?: string;
  /** The whole environment of the child (nothing is inherited unless passed). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Runs the child in a process group of its own and sends every signal to the whole group, as a
   * terminal's Ctrl-C does: for a shell command whose work is done by the processes it starts.
   */
  readonly group?: boolean;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Output kept per stream, from the end: enough for any assertion, bounded for chatty children. */
const KEEP_CHARS = 4_000_000;
/** How long an exited process's output may take to be read to its end. */
const OUTPUT_DRAIN_MS = 2_000;

const running = new Set<TestProcess>();

export class TestProcess {
  stdout = "";
  stderr = "";
  /** Settles when the process has exited. */
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    private readonly group: boolean,
  ) {
    child.stdout?.on("data", (chunk: Buffer) => {
      this.stdout = (this.stdout + chunk.toString()).slice(-KEEP_CHARS);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-KEEP_CHARS);
    });
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        const exit: Exit = { code, signal };
        // Node reports the exit before the pipes are drained: wait for the output to end (bounded,
        // since a process the child started may hold the pipes open), so `stdout` is complete.
        void outputEnded(child, OUTPUT_DRAIN_MS).then(() => {
          this.exit = exit;
          running.delete(this);
          resolve(exit);
        });
      });
    });
  }

  /** Starts `command args…` with its stdout and stderr captured. */
  static start(name: string, command: string, args: readonly string[], options: StartOptions = {}): TestProcess {
    const child = spawn(command, args, { cwd: options.cwd ?? REPO_ROOT, env: options.env ?? {}, detached: options.group ?? false, stdio: ["ignore", "pipe", "pipe"] });
    const started = new TestProcess(name, child, options.group ?? false);
    running.add(started);
    return started;
  }

  /** Starts the built `flowzone` command with `args`; fails at once if it has not been built. */
  static flowzone(name: string, args: readonly string[], options: StartOptions = {}): TestProcess {
    return TestProcess.start(name, process.execPath, [FLOWZONE_MAIN, ...args], options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether the process has not exited yet. */
  get alive(): boolean {
    return this.exit === undefined;
  }

  /** The last of both streams, to quote in a failure. */
  output(chars = 6_000): string {
    return `${this.name} stdout:\n${this.stdout.slice(-chars)}\n${this.name} stderr:\n${this.stderr.slice(-chars)}`;
  }

  /** Waits until `condition` holds; fails quoting the output if the process exits first or time runs out. */
  async waitFor(what: string, condition: (process: TestProcess) => boolean, timeoutMs = 30_000): Promise<void> {
    try {
      await waitFor(what, () => condition(this) || this.exit !== undefined, { timeoutMs, intervalMs: 50 });
    } catch (error) {
      throw new Error(`${String(error)}\n${this.output()}`);
    }
    if (this.exit !== undefined && !condition(this)) throw new Error(`${this.name} exited (${describeExit(this.exit)}) before ${what}\n${this.output()}`);
  }

  /** Waits until stdout shows `text` (a string or a pattern). */
  waitForStdout(text: string | RegExp, timeoutMs?: number): Promise<void> {
    return this.waitFor(`${String(text)} on stdout`, () => (typeof text === "string" ? this.stdout.includes(text) : text.test(this.stdout)), timeoutMs);
  }

  /** Sends `signal` (to the whole group if started as one). */
  signal(signal: NodeJS.Signals): void {
    if (this.exit !== undefined || this.child.pid === undefined) return;
    try {
      if (this.group) process.kill(-this.child.pid, signal);
      else this.child.kill(signal);
    } catch {
      // Already gone between the check and the signal.
    }
  }

  /**
   * Sends `signal` (SIGTERM unless given) and waits for the exit; if none comes in `timeoutMs`,
   * kills the process and fails quoting its output.
   */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 30_000): Promise<Exit> {
    this.signal(signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => { resolve("late"); }, timeoutMs);
    });
    const result = await Promise.race([this.exited, late]).finally(() => { clearTimeout(timer); });
    if (result !== "late") return result;
    await this.kill();
    throw new Error(`${this.name} did not exit within ${timeoutMs} ms of ${signal}\n${this.output()}`);
  }

  /** Kills at once (SIGKILL), as a crash would, and waits for the exit. */
  async kill(): Promise<Exit> {
    this.signal("SIGKILL");
    return this.exited;
  }
}

/** Resolves when the child's stdout and stderr have ended, or after `boundMs`. */
async function outputEnded(child: ChildProcess, boundMs: number): Promise<void> {
  const streams = [child.stdout, child.stderr].filter((stream) => stream !== null && !stream.destroyed);
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, boundMs);
  });
  await Promise.race([Promise.all(streams.map((stream) => new Promise((resolve) => stream?.once("close", resolve)))), bound]);
  clearTimeout(timer);
}

function describeExit(exit: Exit): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
}

/**
 * The port a `flowzone pdp` printed in its JSON "decision service listening" line, once it has
 * (its own port 0 picks a free one), else undefined.
 */
export function decisionServicePort(stdout: string): number | undefined {
  return loggedPort(stdout, "decision service listening");
}

/** The ports a `flowzone control` logged in its "control plane API listening" line, once it has, else undefined. */
export function controlListeningPorts(stdout: string): { httpPort: number; grpcPort: number } | undefined {
  for (const line of stdout.split("\n")) {
    if (!line.includes("control plane API listening")) continue;
    const { httpPort, grpcPort } = JSON.parse(line) as { httpPort: number; grpcPort: number };
    return { httpPort, grpcPort };
  }
  return undefined;
}

/**
 * The `port` (or the number `field` names, e.g. `httpPort`) of the first JSON log line with message
 * `msg` (a service started on port 0 logs the one it got, e.g. "metrics listening on /metrics"),
 * once it has been printed, else undefined.
 */
export function loggedPort(stdout: string, msg: string, field = "port"): number | undefined {
  for (const line of stdout.split("\n").slice(0, -1)) {
    if (!line.includes(`"${msg}"`)) continue;
    const entry = JSON.parse(line) as Record<string, unknown>;
    const port = entry[field];
    if (entry["msg"] === msg && typeof port === "number") return port;
  }
  return undefined;
}

/** Kills every process a test left running and waits for them. */
export async function killLeftovers(): Promise<void> {
  await Promise.all([...running].map((child) => child.kill()));
}

if (typeof afterAll === "function") afterAll(killLeftovers);
process.once("exit", () => {
  for (const child of running) child.signal("SIGKILL");
});
