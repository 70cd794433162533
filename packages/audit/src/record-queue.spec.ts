import { RecordQueue } from "./record-queue";

const rec = (i: number): { key: string; value: Buffer } => ({ key: "z", value: Buffer.from(String(i)) });

describe("RecordQueue", () => {
  it("keeps FIFO order and its bound, taking all of an offer or none", () => {
    const queue = new RecordQueue(3);
    expect(queue.pushAll([rec(1), rec(2)])).toBe(true);
    expect(queue.pushAll([rec(3), rec(4)])).toBe(false);
    expect(queue.length).toBe(2);
    expect(queue.pushAll([rec(3)])).toBe(true);
    expect(queue.free).toBe(0);
    expect(queue.take(2).map((r) => r.value.toString())).toEqual(["1", "2"]);
    expect(queue.pushAll([rec(4), rec(5)])).toBe(true);
    expect(queue.peek(10).map((r) => r.value.toString())).toEqual(["3", "4", "5"]);
  });

  it("stays in order across many pushes and takes (head compaction)", () => {
    const queue = new RecordQueue(10_000);
    let next = 0;
    const out: number[] = [];
    for (let round = 0; round < 50; round += 1) {
      for (let i = 0; i < 300; i += 1) queue.pushAll([rec(next++)]);
      out.push(...queue.take(250).map((r) => Number(r.value.toString())));
    }
    out.push(...queue.take(queue.length).map((r) => Number(r.value.toString())));
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(queue.length).toBe(0);
  });
});
