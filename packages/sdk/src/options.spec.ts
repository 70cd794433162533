import { Kafka } from "kafkajs";

import { createLogger } from "@flowzone/logging";

import { resolveOptions, SDK_DEFAULTS, type GuardedProducerOptions } from "./options";

const kafka = new Kafka({ clientId: "options-spec", brokers: ["127.0.0.1:9"] });
const logger = createLogger({ level: "silent" });
const remote: GuardedProducerOptions = { kafka, logger, decider: { mode: "remote", address: "127.0.0.1:50051" } };

function withOptions(base: GuardedProducerOptions, change: Record<string, unknown>): GuardedProducerOptions {
  const merged: unknown = { ...base, ...change };
  return merged as GuardedProducerOptions;
}

describe("resolveOptions", () => {
  it("fills every default from SDK_DEFAULTS", () => {
    const resolved = resolveOptions(remote);
    expect(resolved).toMatchObject({
      failMode: SDK_DEFAULTS.failMode,
      cacheMaxEntries: SDK_DEFAULTS.cacheMaxEntries,
      cacheTtlMs: SDK_DEFAULTS.cacheTtlMs,
      acks: -1,
      decider: { mode: "remote", address: "127.0.0.1:50051", deadlineMs: 200, interceptors: [], followControlTopic: true, controlTopic: "flowzone.control.v1", controlVerifyKeys: "", bearerToken: "" },
    });
    expect(SDK_DEFAULTS.failMode).toBe("open");
  });

  it("keeps what the caller set", () => {
    const resolved = resolveOptions({ ...remote, failMode: "closed", cacheMaxEntries: 0, producer: "svc:orders-api", decider: { mode: "remote", address: "pdp:1", deadlineMs: 50 } });
    expect(resolved).toMatchObject({ failMode: "closed", cacheMaxEntries: 0, producer: "svc:orders-api", decider: { deadlineMs: 50 } });
    const quiet = resolveOptions({ ...remote, decider: { mode: "remote", address: "pdp:1", followControlTopic: false, controlTopic: "ctl" } });
    expect(quiet.decider).toMatchObject({ followControlTopic: false, controlTopic: "ctl" });
    expect(resolveOptions({ ...remote, decider: { mode: "remote", address: "pdp:1", bearerToken: "s3cret-token" } }).decider).toMatchObject({ bearerToken: "s3cret-token" });
  });

  it.each([
    ["a missing kafka client", withOptions(remote, { kafka: undefined }), /kafka must be a kafkajs client/],
    ["an unknown fail mode", withOptions(remote, { failMode: "maybe" }), /failMode must be "open" or "closed", got "maybe"/],
    ["a malformed producer", withOptions(remote, { producer: "orders api" }), /producer must be an asset id.*"orders api"/],
    ["a negative cache size", withOptions(remote, { cacheMaxEntries: -1 }), /cacheMaxEntries must be an integer from 0/],
    ["a zero ttl", withOptions(remote, { cacheTtlMs: 0 }), /cacheTtlMs must be an integer from 1/],
    ["acks 2", withOptions(remote, { acks: 2 }), /acks must be -1, 0 or 1, got 2/],
    ["no decider", withOptions(remote, { decider: undefined }), /decider must be/],
    ["an unknown decider mode", withOptions(remote, { decider: { mode: "psychic" } }), /decider.mode must be "remote" or "embedded", got "psychic"/],
    ["an address without a port", withOptions(remote, { decider: { mode: "remote", address: "pdp" } }), /decider.address must be host:port, got "pdp"/],
    ["a fractional deadline", withOptions(remote, { decider: { mode: "remote", address: "pdp:1", deadlineMs: 0.5 } }), /decider.deadlineMs must be an integer/],
    ["a followControlTopic that is not a boolean", withOptions(remote, { decider: { mode: "remote", address: "pdp:1", followControlTopic: "yes" } }), /decider.followControlTopic must be true or false, got "yes"/],
    ["an empty control topic", withOptions(remote, { decider: { mode: "remote", address: "pdp:1", controlTopic: "" } }), /decider.controlTopic must be a topic name/],
    ["control verify keys that are not a string", withOptions(remote, { decider: { mode: "remote", address: "pdp:1", controlVerifyKeys: ["a.pem"] } }), /decider.controlVerifyKeys must be comma-separated PEM file paths/],
    ["an empty bearer token", withOptions(remote, { decider: { mode: "remote", address: "pdp:1", bearerToken: "" } }), /decider.bearerToken must be a non-empty string without white space/],
    ["a bearer token with its scheme", withOptions(remote, { decider: { mode: "remote", address: "pdp:1", bearerToken: "Bearer abc" } }), /decider.bearerToken must be .*without "Bearer "/],
    ["tls that is not an object", withOptions(remote, { decider: { mode: "remote", address: "pdp:1", tls: "ca.pem" } }), /decider.tls must be an object \{ ca\?, cert\?, key\? \}/],
    ["an unknown tls option", withOptions(remote, { decider: { mode: "remote", address: "pdp:1", tls: { caFile: "ca.pem" } } }), /decider.tls.caFile is not an option; use ca, cert and key/],
    ["a client certificate without its key", withOptions(remote, { decider: { mode: "remote", address: "pdp:1", tls: { cert: "client.pem" } } }), /decider.tls.cert is given without decider.tls.key/],
    ["a CA file that cannot be read", withOptions(remote, { decider: { mode: "remote", address: "pdp:1", tls: { ca: "/nonexistent/ca.pem" } } }), /decider.tls.ca: \/nonexistent\/ca.pem cannot be read \(ENOENT\)/],
    ["a CA file that is not PEM", withOptions(remote, { decider: { mode: "remote", address: "pdp:1", tls: { ca: __filename } } }), /decider.tls.ca: .*options.spec.ts is not PEM/],
    ["embedded options not made by embeddedDecider", withOptions(remote, { decider: { mode: "embedded", policyDir: "/p", auditSpoolDir: "/s" } }), /embeddedDecider\(.*"@flowzone\/sdk\/embedded"/],
  ])("rejects %s with a message naming the option", (_what, options, message) => {
    expect(() => resolveOptions(options)).toThrow(message);
  });
});
