import fs from "node:fs";
import path from "node:path";

import { fromBinary } from "@bufbuild/protobuf";
import { AuditRecordSchema } from "@flowzone/proto";

import type { EncodedAuditRecord } from "./audit-record";

/** The file beside the spool that keeps audit records Kafka refused, one JSON object a line. */
export const DEAD_LETTER_FILE = "dead-letters.jsonl";

/** One set-aside record as written: enough to find it, judge it, and send it again by hand. */
export interface DeadLetter {
  /** When it was set aside, RFC 3339. */
  readonly time: string;
  /** The audit record's id, or "" when its bytes do not decode. */
  readonly id: string;
  /** The record key: its zone. */
  readonly key: string;
  readonly bytes: number;
  /** Why Kafka refused it. */
  readonly reason: string;
  /** The record value, base64. */
  readonly value: string;
}

/**
 * Audit records set aside because Kafka refuses them (too large, invalid), so that the records
 * behind them flow on. Nothing is dropped: each is appended to {@link DEAD_LETTER_FILE} in the
 * spool's directory and synced before the writer moves past it.
 */
export class DeadLetters {
  constructor(private readonly dir: string) {}

  get file(): string {
    return path.join(this.dir, DEAD_LETTER_FILE);
  }

  /** Appends `record` with `reason` and syncs; returns what was written. */
  async append(record: EncodedAuditRecord, reason: string, nowMs: number): Promise<DeadLetter> {
    const letter: DeadLetter = { time: new Date(nowMs).toISOString(), id: recordId(record), key: record.key, bytes: record.value.length, reason, value: record.value.toString("base64") };
    const handle = await fs.promises.open(this.file, "a");
    try {
      await handle.appendFile(`${JSON.stringify(letter)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return letter;
  }
}

function recordId(record: EncodedAuditRecord): string {
  try {
    return fromBinary(AuditRecordSchema, record.value).id;
  } catch {
    return "";
  }
}
