import type { Message } from "kafkajs";

import { sendHeaders, withHeaders } from "./flow-write";

const FLOW = { "flowzone-labels": "banana", "flowzone-decision": "AAAAAAAAAAAA-1" };

describe("withHeaders", () => {
  it("keeps every field of each message and adds the flowzone headers", () => {
    const messages: Message[] = [
      { key: "k1", value: Buffer.from("v1"), partition: 3, timestamp: "1700000000000" },
      { value: "v2" },
    ];
    const written = withHeaders(messages, FLOW);
    expect(written[0]).toEqual({ key: "k1", value: Buffer.from("v1"), partition: 3, timestamp: "1700000000000", headers: FLOW });
    expect(written[1]).toEqual({ value: "v2", headers: FLOW });
    expect(written[1]?.key).toBeUndefined();
    expect(written[1]?.partition).toBeUndefined();
  });

  it("keeps a message's own headers, and flowzone's win where both name one", () => {
    const own = { "x-request": "r-1", "flowzone-labels": "forged" };
    const [written] = withHeaders([{ value: "v", headers: own }], FLOW);
    expect(written?.headers).toEqual({ "x-request": "r-1", "flowzone-labels": "banana", "flowzone-decision": "AAAAAAAAAAAA-1" });
    expect(own).toEqual({ "x-request": "r-1", "flowzone-labels": "forged" });
  });

  it("copies the messages, never changing the producer's own", () => {
    const message: Message = { value: "v" };
    const [written] = withHeaders([message], FLOW);
    expect(written).not.toBe(message);
    expect(message).toEqual({ value: "v" });
  });
});

describe("sendHeaders", () => {
  it("adds the trace context only when the producer gave one", () => {
    expect(sendHeaders(FLOW, "")).toBe(FLOW);
    expect(sendHeaders(FLOW, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")).toEqual({ ...FLOW, traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" });
  });
});
