/** Medians, ratios and goals of bench:sdk, printed and written to its section of docs/benchmarks.md. */
import { goalsTable, markdownTable, writeSection, type Goal } from "../common/report";
import { median } from "../common/stats";
import type { SdkBenchOptions } from "./settings";
import { SYSTEM_LABELS, type SystemName } from "./systems";

export interface RoundResult {
  readonly system: SystemName;
  readonly messagesPerSec: number;
  readonly sends: number;
  readonly stats: string;
}

const int = (n: number): string => Math.round(n).toLocaleString("en-US");

export function render(opts: SdkBenchOptions, date: Date, machine: readonly string[], results: readonly RoundResult[]): void {
  const of = (name: SystemName): number[] => results.filter((r) => r.system === name).map((r) => r.messagesPerSec);
  const bare = median(of("bare"));
  const systems: SystemName[] = ["bare", "embedded", "remote-cache", "remote-nocache"];
  const rows = systems.map((name) => [SYSTEM_LABELS[name], int(median(of(name))), `${(median(of(name)) / bare).toFixed(2)}×`, of(name).map(int).join(" / ")]);
  const ratio = (name: SystemName): number => median(of(name)) / bare;
  const goals: Goal[] = [
    { what: "embedded vs bare, messages/s", measured: `${ratio("embedded").toFixed(2)}×`, target: "≥ 0.90×", met: ratio("embedded") >= 0.9 },
    { what: "remote with the cache vs bare, messages/s", measured: `${ratio("remote-cache").toFixed(2)}×`, target: "≥ 0.80×", met: ratio("remote-cache") >= 0.8 },
  ];
  const body = [
    "## Producer SDK (`npm run bench:sdk`)",
    "",
    "Written by `npm run bench:sdk` (test/bench/sdk/main.ts); do not edit by hand, rerun it.",
    "",
    `- Date: ${date.toISOString()}`,
    "- Command: `npm run bench:sdk`",
    ...machine.map((m) => `- ${m}`),
    "",
    "### Method",
    "",
    `- One local broker, one topic with one partition; every producer is kafkajs 2.2.4 with \`idempotent: true\` and \`acks: -1\`, sending ${opts.batch} messages of ${opts.valueBytes} random bytes per send, one send in flight.`,
    "- Guarded sends carry the flow `svc:banana-bench` → `kafka:banana-bench-*` with label `banana` on the example bundle (a clean allow), so each message also carries the flowzone headers; the bare producer sends no headers.",
    "- Remote: the decision service in its own process on 127.0.0.1 (`startDecisionService`, the example bundle); embedded: the engine in process with its audit writer and the control topic followed.",
    `- ${opts.rounds} rounds of ${opts.seconds} s per producer, systems interleaved within a round, 5 warm-up sends each; medians of the rounds.`,
    "",
    "### Throughput",
    "",
    markdownTable(["producer", "messages/s (median)", "vs bare", "per round"], rows),
    "",
    "### Goals",
    "",
    goalsTable(goals),
    "",
  ].join("\n");
  process.stdout.write(`${body}\n`);
  if (opts.write) process.stderr.write(`wrote ${writeSection("sdk", body)}\n`);
}
