import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";

import { AuditRecordSchema } from "@flowzone/proto";

import type { EncodedAuditRecord, StreamPosition } from "./audit-record";

/** A quarantined record a re-drive forwarded to its route's target, and who asked. */
export interface Redrive {
  /** The zone of the violation that had quarantined it ("" for a record quarantined as undecidable). */
  readonly zone: string;
  readonly route: string;
  /** Where the record sat in the quarantine topic. */
  readonly quarantined: StreamPosition;
  /** Where it first came from (its `flowzone-origin` header). */
  readonly origin: StreamPosition;
  readonly target: string;
  readonly producer: string;
  readonly sink: string;
  readonly labels: readonly string[];
  readonly actor: string;
  readonly policyVersion: string;
  readonly timeMs: number;
}

/**
 * Encodes a `redriven` audit record (key = zone). Its id, `redrive/<quarantine topic>/<partition>/
 * <offset>`, is the quarantined position: a re-drive's transaction retried after an abort writes
 * the same id, and the ledger keeps a committed one from ever being written again.
 */
export function encodeRedriveAudit(redrive: Redrive): EncodedAuditRecord {
  const record = create(AuditRecordSchema, {
    id: `redrive/${positionText(redrive.quarantined)}`,
    time: timestampFromMs(redrive.timeMs),
    zone: redrive.zone,
    policyVersion: redrive.policyVersion,
    event: {
      case: "redriven",
      value: {
        route: redrive.route,
        quarantined: protoPosition(redrive.quarantined),
        origin: protoPosition(redrive.origin),
        target: redrive.target,
        producer: redrive.producer,
        sink: redrive.sink,
        labels: [...redrive.labels],
        actor: redrive.actor,
      },
    },
  });
  return { key: redrive.zone, value: Buffer.from(toBinary(AuditRecordSchema, record)) };
}

function positionText(position: StreamPosition): string {
  return `${position.topic}/${position.partition}/${position.offset}`;
}

function protoPosition(position: StreamPosition): { topic: string; partition: number; offset: bigint } {
  return { topic: position.topic, partition: position.partition, offset: BigInt(position.offset) };
}
