/** In-process throughput: decide the cycle's requests in order, whole cycles at a time, for a fixed time. */
import { CYCLE, DENIES_PER_CYCLE } from "./workload";

export interface InProcessResult {
  readonly checks: number;
  readonly seconds: number;
  readonly checksPerSec: number;
  readonly denyFraction: number;
}

/** `decide(k)` returns true when request k is denied. Throws when a cycle's deny count is off. */
export function measureInProcess(name: string, decide: (k: number) => boolean, durationMs: number): InProcessResult {
  const t0 = performance.now();
  let cycles = 0;
  let denies = 0;
  do {
    let d = 0;
    for (let k = 0; k < CYCLE; k++) if (decide(k)) d++;
    if (d !== DENIES_PER_CYCLE) throw new Error(`${name}: ${d} denies over one cycle of ${CYCLE}, expected ${DENIES_PER_CYCLE}`);
    denies += d;
    cycles++;
  } while (performance.now() - t0 < durationMs);
  const seconds = (performance.now() - t0) / 1000;
  const checks = cycles * CYCLE;
  return { checks, seconds, checksPerSec: checks / seconds, denyFraction: denies / checks };
}

/** Like measureInProcess, for a path that decides a whole cycle per call and returns its denies. */
export function measureCycles(name: string, decideCycle: () => number, durationMs: number): InProcessResult {
  const t0 = performance.now();
  let cycles = 0;
  let denies = 0;
  do {
    const d = decideCycle();
    if (d !== DENIES_PER_CYCLE) throw new Error(`${name}: ${d} denies over one cycle of ${CYCLE}, expected ${DENIES_PER_CYCLE}`);
    denies += d;
    cycles++;
  } while (performance.now() - t0 < durationMs);
  const seconds = (performance.now() - t0) / 1000;
  const checks = cycles * CYCLE;
  return { checks, seconds, checksPerSec: checks / seconds, denyFraction: denies / checks };
}
