import fc from "fast-check";

import { GroupCommit } from "./group-commit";

/** A flush the test finishes by hand, counting how many were started. */
function manualFlush(): { flush: () => Promise<void>; started: () => number; finish: () => void } {
  const pending: (() => void)[] = [];
  let started = 0;
  return {
    flush: () => {
      started += 1;
      return new Promise<void>((resolve) => pending.push(resolve));
    },
    started: () => started,
    finish: () => pending.shift()?.(),
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("GroupCommit", () => {
  it("serves every request made while a flush runs with one more flush, started after the running one ends", async () => {
    const manual = manualFlush();
    const commits = new GroupCommit(manual.flush);
    const done: string[] = [];
    void commits.request().then(() => done.push("a"));
    void commits.request().then(() => done.push("b"));
    void commits.request().then(() => done.push("c"));
    await tick();
    expect(manual.started()).toBe(1);
    manual.finish();
    await tick();
    expect(done).toEqual(["a"]); // b and c asked after the first flush began: it does not cover them
    expect(manual.started()).toBe(2);
    manual.finish();
    await tick();
    expect(done).toEqual(["a", "b", "c"]);
    expect(manual.started()).toBe(2);
  });

  it("starts a flush at once when none is running", async () => {
    const manual = manualFlush();
    const commits = new GroupCommit(manual.flush);
    const first = commits.request();
    manual.finish();
    await first;
    const second = commits.request();
    await tick();
    expect(manual.started()).toBe(2);
    manual.finish();
    await expect(second).resolves.toBeUndefined();
  });

  it("never runs two flushes at once, and resolves requests in the order they were made, whatever the interleaving", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom("request", "finish", "tick"), { maxLength: 40 }), async (steps) => {
        let running = 0;
        let most = 0;
        const pending: (() => void)[] = [];
        const commits = new GroupCommit(
          () =>
            new Promise<void>((resolve) => {
              running += 1;
              most = Math.max(most, running);
              pending.push(() => {
                running -= 1;
                resolve();
              });
            }),
        );
        const resolved: number[] = [];
        let asked = 0;
        const ask = (): void => {
          const n = asked++;
          void commits.request().then(() => resolved.push(n));
        };
        for (const step of steps) {
          if (step === "request") ask();
          else if (step === "finish") pending.shift()?.();
          else await tick();
        }
        while (resolved.length < asked) {
          pending.shift()?.();
          await tick();
        }
        expect(most).toBeLessThanOrEqual(1);
        expect(resolved).toEqual(Array.from({ length: asked }, (_, i) => i));
      }),
      { numRuns: 200 },
    );
  });
});
