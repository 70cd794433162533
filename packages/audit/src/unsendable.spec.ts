import { isUnsendable } from "./unsendable";

/** The shapes kafkajs throws: a protocol error with a `type`, wrapped by its retrier. */
function protocolError(type: string): Error {
  return Object.assign(new Error(`broker says ${type}`), { name: "KafkaJSProtocolError", type, retriable: false });
}

function wrapped(cause: Error): Error {
  return Object.assign(new Error(cause.message, { cause }), { name: "KafkaJSNonRetriableError" });
}

describe("isUnsendable", () => {
  it.each(["MESSAGE_TOO_LARGE", "RECORD_LIST_TOO_LARGE", "INVALID_RECORD"])("is true for %s, bare or wrapped by the retrier", (type) => {
    expect(isUnsendable(protocolError(type))).toBe(true);
    expect(isUnsendable(wrapped(protocolError(type)))).toBe(true);
  });

  it.each([
    ["a leader change", protocolError("NOT_LEADER_FOR_PARTITION")],
    ["a refused connection", wrapped(new Error("connect ECONNREFUSED 127.0.0.1:9092"))],
    ["a string", "MESSAGE_TOO_LARGE"],
    ["nothing", undefined],
  ])("is false for %s: a retry may cure it", (_what, error) => {
    expect(isUnsendable(error)).toBe(false);
  });
});
