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

  /** The prefix and its dash, in UTF-8. */
  private readonly prefixBytes: Buffer;

  constructor(prefix: string = randomBytes(9).toString("base64url")) {
    this.prefix = prefix;
    this.prefixBytes = Buffer.from(`${prefix}-`, "utf8");
  }

  next(): string {
    return this.idOf(this.nextSerial());
  }

  /**
   * The next id by its serial number, for a caller that may only ever write it as bytes
   * ({@link write}): cheaper than a string per id on the batch path.
   */
  nextSerial(): number {
    this.counter += 1;
    return this.counter;
  }

  /** The id with serial `serial`: prefix, dash, the serial in base 36. */
  idOf(serial: number): string {
    return `${this.prefix}-${serial.toString(36)}`;
  }

  /** The UTF-8 byte length of {@link idOf}(serial). */
  byteLength(serial: number): number {
    return this.prefixBytes.length + base36Digits(serial);
  }

  /** Writes the UTF-8 bytes of {@link idOf}(serial) into `target` at `at`; returns where they end. */
  write(serial: number, target: Uint8Array, at: number): number {
    target.set(this.prefixBytes, at);
    const end = at + this.byteLength(serial);
    let rest = serial;
    for (let pos = end - 1; pos >= at + this.prefixBytes.length; pos--) {
      target[pos] = BASE36[rest % 36] ?? 0;
      rest = Math.floor(rest / 36);
    }
    return end;
  }
}

/** The digits of base 36, as ASCII bytes. */
const BASE36 = Buffer.from("0123456789abcdefghijklmnopqrstuvwxyz", "latin1");

function base36Digits(value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 36; rest = Math.floor(rest / 36)) digits++;
  return digits;
}
