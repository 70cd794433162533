/**
 * Named steps for scenario tests whose parts must run in order on one shared state: write them
 * as ONE test of `await step("…", async () => {…})` calls rather than a chain of `it`s, so the
 * first failure names its step and nothing after it runs (a chain of `it`s reports the failure
 * and then every later `it` failing for want of the state it expected).
 */

/** Each step's own deadline unless given one: jest's default test timeout in this repository. */
export const DEFAULT_STEP_TIMEOUT_MS = 30_000;

/** Options of one step. */
export interface StepOptions {
  /**
   * How long the step may take before it fails naming itself. Give the test as a whole more
   * than the sum of its steps' deadlines, so a stuck step fails here and not on jest's timeout,
   * which would name no step.
   */
  readonly timeoutMs?: number;
}

/** The failure of a named step; the original error is its `cause` and is quoted in its text. */
export class StepFailed extends Error {
  override readonly name = "StepFailed";
  readonly step: string;

  constructor(step: string, cause: unknown) {
    super(`${step}: ${quote(cause)}`, { cause });
    this.step = step;
    // The original stack (with the failing assertion's frames) follows in the message; this
    // error's own frames point only into step() and are left out.
    this.stack = this.message;
  }
}

/**
 * Runs `body` as the step called `name` and returns what it returns. When the body throws (or
 * outlasts its deadline), throws a {@link StepFailed} whose message starts with `name`, so the
 * test stops there and its report says which step failed.
 */
export async function step<T>(name: string, body: () => Promise<T>, options: StepOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([body(), deadline]);
  } catch (error) {
    throw new StepFailed(name, error);
  } finally {
    clearTimeout(timer);
  }
}

/** The original error's stack (which starts with its message, less a bare "Error: "), or its message, or its text. */
function quote(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { message, stack } = error;
  if (stack === undefined) return message;
  return stack.includes(message) ? stack.replace(/^Error: /, "") : `${message}\n${stack}`;
}
