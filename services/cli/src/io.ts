/**
 * What a command may touch of the outside world. `run()` takes it as a parameter so tests
 * can call the CLI in-process with captured output and a fake environment.
 */

/** Anything text can be written to: `process.stdout`, or a buffer in a test. */
export interface TextSink {
  write(chunk: string): unknown;
}

/** The CLI's outside world, injected by `main.ts` (or a test). */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** Read once per command, never at import (docs/reference/configuration.md: flags win over the environment). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Aborted to stop a long-running command (`flowzone pdp`). Unset: the command stops on
   * SIGINT or SIGTERM of this process instead.
   */
  readonly shutdown?: AbortSignal | undefined;
}

/** Exit codes (docs/reference/cli.md). */
export const ExitCode = {
  ok: 0,
  /** A policy or request error: invalid bundle, failing policy tests, a service that cannot start. */
  failure: 1,
  /** A usage error: unknown command or flag, a missing argument. */
  usage: 2,
  /** `policy whatif`: the candidate would newly deny (or refuse) inventoried flows; a CI gate stops on it. */
  wouldBreak: 3,
} as const;

/** One of the exit codes above. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
