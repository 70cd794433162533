import type { Kafka } from "kafkajs";

import type { EnforcementPoint } from "@flowzone/audit";
import { FLOWS_TOPIC } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";

import { FlowReporter } from "./flow-reporter";
import { FLOW_REPORT_DEFAULTS, flowReportIntervalMs } from "./flow-report-settings";
import { KafkaFlowSender } from "./kafka-flow-sender";

/** What {@link startFlowReporter} needs. */
export interface StartFlowReporterOptions {
  readonly kafka: Kafka;
  /** Default `flowzone.flows.v1`; tests give their own. The caller creates it (`flowsTopicSpec`). */
  readonly topic?: string | undefined;
  /** Default 5000; 0 turns reporting off. */
  readonly intervalMs?: number | undefined;
  /** Default 10000. */
  readonly maxFlows?: number | undefined;
  readonly logger: Logger;
  readonly enforcementPoint: EnforcementPoint;
  readonly reporter: string;
  readonly policyVersion: () => string;
}

/**
 * A decision point's flow reporter on Kafka, or undefined when the interval is 0 (reporting off).
 *
 * @throws RangeError naming `intervalMs` when it is not a whole number of ms in range.
 */
export function startFlowReporter(options: StartFlowReporterOptions): FlowReporter | undefined {
  const intervalMs = flowReportIntervalMs(options.intervalMs, "flow report intervalMs");
  if (intervalMs === 0) return undefined;
  return new FlowReporter({
    sender: new KafkaFlowSender(options.kafka, options.topic ?? FLOWS_TOPIC),
    logger: options.logger.child({ component: "flow-report" }),
    enforcementPoint: options.enforcementPoint,
    reporter: options.reporter,
    policyVersion: options.policyVersion,
    intervalMs,
    maxFlows: options.maxFlows ?? FLOW_REPORT_DEFAULTS.maxFlows,
  });
}
