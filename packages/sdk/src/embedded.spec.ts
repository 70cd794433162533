import { Kafka } from "kafkajs";

import { createLogger } from "@flowzone/logging";

import { embeddedDecider, type EmbeddedDeciderOptions } from "./embedded";
import { resolveOptions, SDK_DEFAULTS } from "./options";

const kafka = new Kafka({ clientId: "embedded-spec", brokers: ["127.0.0.1:9"] });
const logger = createLogger({ level: "silent" });

function withOptions(change: Record<string, unknown>): EmbeddedDeciderOptions {
  const merged: unknown = { policyDir: "/policy", auditSpoolDir: "/spool", ...change };
  return merged as EmbeddedDeciderOptions;
}

describe("embeddedDecider", () => {
  it("fills the embedded decider's defaults from SDK_DEFAULTS", () => {
    expect(embeddedDecider({ policyDir: "/policy", auditSpoolDir: "/spool" }).options).toEqual({
      policyDir: "/policy",
      auditSpoolDir: "/spool",
      reloadIntervalMs: SDK_DEFAULTS.reloadIntervalMs,
      followControlTopic: true,
      controlTopic: "flowzone.control.v1",
      controlVerifyKeys: "",
      auditTopic: "flowzone.audit.v1",
      flowReportIntervalMs: 5_000,
      flowsTopic: "flowzone.flows.v1",
    });
  });

  it("is a decider the guarded producer's options accept as it is", () => {
    const decider = embeddedDecider({ policyDir: "/policy", auditSpoolDir: "/spool", reloadIntervalMs: 50 });
    expect(resolveOptions({ kafka, logger, decider }).decider).toBe(decider);
  });

  it.each([
    ["no options", undefined, /embeddedDecider options must be an object/],
    ["no policyDir", withOptions({ policyDir: undefined }), /decider.policyDir must be the bundle directory/],
    ["no spool", withOptions({ auditSpoolDir: "" }), /decider.auditSpoolDir must be a directory path/],
    ["a reload interval under 10 ms", withOptions({ reloadIntervalMs: 5 }), /decider.reloadIntervalMs must be an integer from 10/],
    ["an empty audit topic", withOptions({ auditTopic: "" }), /decider topics must not be empty/],
    ["an empty flows topic", withOptions({ flowsTopic: "" }), /decider topics must not be empty/],
    ["a negative flow report interval", withOptions({ flowReportIntervalMs: -1 }), /decider.flowReportIntervalMs must be an integer from 0 to 3600000, got -1/],
  ])("rejects %s at once, naming the option", (_what, options, message) => {
    expect(() => embeddedDecider(options as EmbeddedDeciderOptions)).toThrow(message);
  });
});
