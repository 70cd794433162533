import { parsed, type Setting } from "@flowzone/service-kit";

import { parseBrokers } from "./parse-brokers";

/**
 * `--brokers` / `FLOWZONE_KAFKA_BROKERS`: the Kafka every service uses. Unset, commands that can
 * (dev, control, enforcer) start a local single-node broker; the decision service runs without
 * an audit trail.
 */
export const BROKERS_SETTING: Setting<string[] | undefined> = parsed({
  env: "FLOWZONE_KAFKA_BROKERS",
  flag: "brokers",
  description: "Kafka bootstrap brokers as comma-separated host:port pairs; unset, a local broker is started where a command can.",
  parse(text) {
    try {
      return parseBrokers(text);
    } catch {
      throw new Error("must be comma-separated host:port pairs");
    }
  },
});
