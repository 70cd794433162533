/**
 * A part under test that a fault test kills and starts again: each start is a new
 * {@link TestProcess} (a run), and the runs are kept so a failure can quote all of them.
 */
import type { TestProcess } from "./processes";

export class RestartableProcess {
  /** Every run so far, the current one last. */
  private readonly runs: TestProcess[] = [];

  /** `launch(run)` starts run number `run` (1 for the first). */
  constructor(
    readonly name: string,
    private readonly launch: (run: number) => TestProcess,
  ) {}

  /** Starts a new run (the previous one must have ended: killed or stopped). */
  start(): TestProcess {
    const run = this.launch(this.runs.length + 1);
    this.runs.push(run);
    return run;
  }

  /** The latest run (an exited one too: stopping or killing it gives how it ended). */
  get current(): TestProcess | undefined {
    return this.runs[this.runs.length - 1];
  }

  /** The output of every run, to explain a failure. */
  get output(): string {
    return this.runs.map((run) => run.output()).join("\n");
  }

  /** Kills the current run at once, as a crash would, mid-batch if one is in flight. */
  async kill(): Promise<void> {
    await this.current?.kill();
  }

  /** SIGTERM and wait for the graceful exit (failing if none comes in 30 s); its exit code. */
  async stop(): Promise<number | null> {
    const run = this.current;
    if (run === undefined) return null;
    return (await run.stop("SIGTERM")).code;
  }
}
