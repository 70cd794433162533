/**
 * Child processes of the benchmark. Every child is registered here and killed when the benchmark
 * ends, fails, or is interrupted; children that are node scripts also exit when their stdin closes.
 */
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

const children = new Set<ChildProcess>();

function killAll(signal: NodeJS.Signals): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, signal);
      } catch {
        // already gone
      }
    }
  }
}

const cleanups: (() => void)[] = [];

/** Runs `fn` (synchronously) when the process exits, however it exits. */
export function onExit(fn: () => void): void {
  cleanups.push(fn);
}

function runCleanups(): void {
  for (const fn of cleanups.splice(0)) {
    try {
      fn();
    } catch {
      // best effort
    }
  }
}

let installed = false;
/** Kills every child and runs the onExit cleanups however the process ends (also Ctrl-C); idempotent. */
export function installHandlers(): void {
  if (installed) return;
  installed = true;
  process.on("exit", () => {
    killAll("SIGKILL");
    runCleanups();
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: stopping children\n`);
      killAll("SIGKILL");
      process.exit(130);
    });
  }
}

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** Recent output, for error messages. */
  readonly log: string[];
  stop(): Promise<void>;
}

/** Starts a child; resolves with it once `ready(line)` returns a value for one of its stdout lines. */
export async function startChild<T>(
  name: string,
  command: string,
  args: readonly string[],
  ready: (line: string) => T | undefined,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: Child; value: T }> {
  installHandlers();
  const proc = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], env });
  children.add(proc);
  const log: string[] = [];
  const keep = (line: string): void => {
    log.push(line);
    if (log.length > 50) log.shift();
  };
  createInterface({ input: proc.stderr }).on("line", keep);
  const pid = proc.pid;
  const child: Child = {
    name,
    process: proc,
    pid: pid ?? -1,
    log,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, "exit");
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
      children.delete(proc);
    },
  };
  const value = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => { fail(new Error(`${name} not ready after ${timeoutMs} ms`)); }, timeoutMs);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      reject(new Error(`${e.message}\n--- last output of ${name} ---\n${log.join("\n")}`));
    };
    proc.on("error", fail);
    proc.on("exit", (code, signal) => { fail(new Error(`${name} exited (${code ?? signal ?? "?"}) before it was ready`)); });
    createInterface({ input: proc.stdout }).on("line", (line) => {
      keep(line);
      const v = ready(line);
      if (v !== undefined) {
        clearTimeout(timer);
        resolve(v);
      }
    });
  }).catch(async (e: unknown) => {
    await child.stop();
    throw e;
  });
  if (pid === undefined) throw new Error(`${name} has no pid`);
  return { child, value };
}

/** Closes a child's stdin (its signal to shut down cleanly, which also writes a --cpu-prof profile) and waits; SIGKILL after `graceMs`. */
export async function endChild(child: Child, graceMs: number): Promise<void> {
  const proc = child.process;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, "exit");
  proc.stdin?.end();
  const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map(async (proc) => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = once(proc, "exit");
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    }
    children.delete(proc);
  }));
}
