import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { createLogger } from "@flowzone/logging";
import type { RecordMetadata } from "kafkajs";

import type { EncodedAuditRecord } from "./audit-record";
import type { KafkaClient } from "./audit-writer-options";
import { AuditWriter } from "./audit-writer";
import { largestFileBytes, limitFileSize } from "../../../test/support/file-size-limit";
import { waitFor } from "../../../test/support/poll";

/**
 * A stand-in for kafkajs whose sends wait until the test settles them, so the writer can be caught
 * with a batch in flight while memory overflows: the order logic under test.
 */
function fakeKafka(): { kafka: KafkaClient; topicLog: string[]; inFlight: () => number; settle: (ok: boolean) => void } {
  const topicLog: string[] = [];
  const waiting: { messages: EncodedAuditRecord[]; resolve: (answer: RecordMetadata[]) => void; reject: (e: Error) => void }[] = [];
  const producer = {
    events: { DISCONNECT: "producer.disconnect" },
    on: () => undefined,
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    sendBatch: ({ topicMessages }: { topicMessages: { messages: EncodedAuditRecord[] }[] }) =>
      new Promise<RecordMetadata[]>((resolve, reject) => {
        waiting.push({ messages: topicMessages.flatMap((t) => t.messages), resolve, reject });
      }),
  };
  return {
    kafka: { producer: () => producer } as unknown as KafkaClient,
    topicLog,
    inFlight: () => waiting.length,
    settle(ok: boolean) {
      const send = waiting.shift();
      if (send === undefined) throw new Error("no send in flight");
      if (ok) {
        topicLog.push(...send.messages.map((m) => m.value.toString()));
        // kafkajs's answer: one entry per partition written (the fake has no admin, so the writer sends unpartitioned).
        send.resolve([{ topicName: "flowzone.audit.v1", partition: 0, errorCode: 0 }]);
      } else {
        send.reject(Object.assign(new Error("broker gone"), { name: "KafkaJSConnectionError", retriable: true }));
      }
    },
  };
}

const rec = (i: number): EncodedAuditRecord => ({ key: "zone", value: Buffer.from(`r${i}`) });
const ids = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `r${from + i}`);
/** How long and how often the spec polls for what the writer did. */
const POLL = { timeoutMs: 2500, intervalMs: 5 };

let spoolDir: string;
beforeEach(() => {
  spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), "flowzone-writer-spec-"));
});
afterEach(() => {
  fs.rmSync(spoolDir, { recursive: true, force: true });
});

describe("AuditWriter ordering", () => {
  it.each([true, false])("keeps offer order when memory overflows with a batch in flight (that send succeeds: %p)", async (firstSendOk) => {
    const fake = fakeKafka();
    const writer = await AuditWriter.start({ kafka: fake.kafka, logger: createLogger({ level: "silent" }), spoolDir, maxQueueRecords: 10, batchMaxRecords: 4, lingerMs: 0 });
    for (let i = 0; i < 4; i += 1) writer.offer([rec(i)]);
    await waitFor("the first batch to be in flight", () => fake.inFlight() === 1, POLL); // r0..r3 in flight, taken from memory
    for (let i = 4; i < 30; i += 1) expect(writer.offer([rec(i)]).accepted).toBe(true);
    expect(writer.stats()).toMatchObject({ spooledRecords: 30, queued: 14 }); // all written ahead; memory holds 10 besides the batch in flight, the rest is read back from disk
    fake.settle(firstSendOk);
    for (;;) {
      await waitFor("the next batch in flight, or all 30 sent", () => fake.inFlight() === 1 || writer.stats().sent === 30, POLL);
      if (writer.stats().sent === 30) break;
      fake.settle(true);
    }
    expect(fake.topicLog).toEqual(ids(0, 30));
    expect(writer.stats()).toMatchObject({ sent: 30, queued: 0, spooledRecords: 0, dropped: 0 });
    await writer.close(100);
  });
});

describe("AuditWriter when its spool cannot write", () => {
  it("answers no offer as kept until its write succeeds, and refuses new ones as spool_unwritable meanwhile", async () => {
    const fake = fakeKafka();
    const writer = await AuditWriter.start({ kafka: fake.kafka, logger: createLogger({ level: "silent" }), spoolDir, lingerMs: 0 });
    const first = writer.offer([rec(0)]);
    if (!first.accepted) throw new Error("the first offer was refused");
    await first.durable;
    const restore = limitFileSize(await largestFileBytes(spoolDir, ".seg")); // the kernel refuses every further byte
    let kept = false;
    let acceptedProbes = 0;
    let durable: Promise<void>;
    try {
      const second = writer.offer([rec(1)]);
      if (!second.accepted) throw new Error("the second offer was refused before any write failed");
      durable = second.durable.then(() => {
        kept = true;
      });
      // Offers made before the spool has seen its write fail are still kept; they are sent too.
      await waitFor("an offer refused as spool_unwritable", () => {
        const offered = writer.offer([rec(99)]);
        if (offered.accepted) acceptedProbes += 1;
        return !offered.accepted && offered.reason === "spool_unwritable";
      }, POLL);
      expect(kept).toBe(false);
    } finally {
      restore();
    }
    await durable;
    expect(writer.offer([rec(2)]).accepted).toBe(true);
    expect(writer.stats().dropped).toBe(1);
    const offered = 3 + acceptedProbes;
    for (;;) {
      await waitFor("the next batch in flight, or every kept record sent", () => fake.inFlight() === 1 || writer.stats().sent === offered, POLL);
      if (writer.stats().sent === offered) break;
      fake.settle(true);
    }
    expect(fake.topicLog.filter((id) => id !== "r99")).toEqual(["r0", "r1", "r2"]);
    await writer.close(100);
  });
});
