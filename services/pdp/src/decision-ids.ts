import { randomBytes } from "node:crypto";

/**
 * Issues unique decision ids cheaply: a random per-process prefix plus a counter. A UUID per call
 * would cost a CSPRNG read on the hot path; uniqueness across processes comes from the 72-bit
 * prefix, within a process from the counter.
 */
export class DecisionIds {
  /** The random per-process part; also names this process in traffic reports. */
  readonly prefix: string;
  private counter = 0;

  constructor(prefix: string = randomBytes(9).toString("base64url")) {
    this.prefix = prefix;
  }

  next(): string {
    this.counter += 1;
    return `${this.prefix}-${this.counter.toString(36)}`;
  }
}
