import { logLevel } from "kafkajs";

import { bridgedLevel, LIMITED_RETRIES_WARNING, OFFSET_RESET_NOTICE, type BridgedLevel, type KafkajsEntry } from "./kafkajs-log-level";

const loading = "The coordinator is loading and hence can't process requests for this group";

describe("bridgedLevel", () => {
  it.each<[string, KafkajsEntry, BridgedLevel]>([
    // What a healthy start printed at ERROR: per-request answers that kafkajs retries.
    ["coordinator loading on a response", { level: logLevel.ERROR, namespace: "Connection", message: "Response InitProducerId(key: 22, version: 1)", error: loading }, "debug"],
    ["coordinator not available on a response", { level: logLevel.ERROR, namespace: "Connection", message: "Response GroupCoordinator(key: 10, version: 2)", error: "The group coordinator is not available" }, "debug"],
    ["leader election on a response", { level: logLevel.ERROR, namespace: "Connection", message: "Response Metadata(key: 3, version: 6)", error: "There is no leader for this topic-partition as we are in the middle of a leadership election" }, "debug"],
    ["concurrent transactions on a response", { level: logLevel.ERROR, namespace: "Connection", message: "Response AddPartitionsToTxn(key: 24, version: 1)", error: "The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing" }, "debug"],
    // Retry notices naming a transient answer: kept, as information.
    ["a send being retried after a leader election", { level: logLevel.ERROR, namespace: "Producer", message: "Failed to send messages: There is no leader for this topic-partition as we are in the middle of a leadership election", retryTime: 300 }, "info"],
    ["a rebalance", { level: logLevel.WARN, namespace: "Runner", message: "The group is rebalancing, re-joining", error: "The group is rebalancing, so a rejoin is needed" }, "info"],
    // The audit writer's deliberate retry limit.
    ["the limited-retries warning", { level: logLevel.WARN, namespace: "Producer", message: LIMITED_RETRIES_WARNING }, "debug"],
    // A consumer moved to its default offset goes on: a warning, and its per-request line a trace.
    ["an out-of-range fetch on a response", { level: logLevel.ERROR, namespace: "Connection", message: "Response Fetch(key: 1, version: 11)", error: "The requested offset is not within the range of offsets maintained by the server" }, "debug"],
    ["the consumer reset to its default offset", { level: logLevel.ERROR, namespace: "ConsumerGroup", message: OFFSET_RESET_NOTICE }, "warn"],
    // Everything else keeps its level.
    ["a response error that is not transient", { level: logLevel.ERROR, namespace: "Connection", message: "Response Produce(key: 0, version: 7)", error: "Not authorized to access topics: [Topic authorization failed]" }, "error"],
    ["a request timeout", { level: logLevel.ERROR, namespace: "Connection", message: "Response Fetch(key: 1, version: 11)", error: "The request timed out" }, "error"],
    ["a consumer crash after its retries ran out", { level: logLevel.ERROR, namespace: "Consumer", message: "Crash: KafkaJSNumberOfRetriesExceeded: The group coordinator is not available" }, "error"],
    ["a broker connection failure", { level: logLevel.ERROR, namespace: "BrokerPool", message: "Failed to connect to seed broker, trying another broker from the list: Connection error: connect ECONNREFUSED" }, "error"],
    ["another warning", { level: logLevel.WARN, namespace: "Admin", message: "Could not create topics", error: "Replication-factor is invalid" }, "warn"],
    ["an info entry", { level: logLevel.INFO, namespace: "Consumer", message: "Starting" }, "info"],
    ["a debug entry", { level: logLevel.DEBUG, namespace: "Connection", message: "Request Metadata(key: 3, version: 6)" }, "debug"],
  ])("%s", (_name, entry, expected) => {
    expect(bridgedLevel(entry)).toBe(expected);
  });
});
