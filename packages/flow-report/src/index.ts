// Public surface of @flowzone/flow-report: named exports only.
export { canonicalFlow, flowSignature, type Flow } from "./flow";
export { FlowAggregator, type TakenWindow } from "./flow-aggregator";
export { mergeWindows, type FlowCount, type FlowWindow } from "./flow-window";
export { encodeFlowReport, type EncodedFlowReport, type ReportSource } from "./flow-report-record";
export { FlowReporter, type FlowReporterOptions, type FlowReporterStats, type FlowSender } from "./flow-reporter";
export { KafkaFlowSender } from "./kafka-flow-sender";
export { FLOW_REPORT_DEFAULTS, FLOW_REPORT_INTERVAL_SETTING, flowReportIntervalMs } from "./flow-report-settings";
export { startFlowReporter, type StartFlowReporterOptions } from "./start-flow-reporter";
