/** Medians, ratios and goals of bench:sdk, printed and written to its section of docs/benchmarks.md. */
import { goalsTable, markdownTable, writeSection, type Goal } from "../common/report";
import { median } from "../common/stats";
import type { SdkBenchOptions } from "./settings";
import { SYSTEM_LABELS, type SystemName } from "./systems";

export interface RoundResult {
  readonly system: SystemName;
  readonly messagesPerSec: number;
  readonly sends: number;
  /** CPU (user + system) of the benchmark's process, where the producers run, per message sent. */
  readonly clientCpuUsPerMessage: number;
  /** CPU of the decision service's process per message sent (the remote producers' decisions). */
  readonly pdpCpuUsPerMessage: number;
  readonly stats: string;
}

/** Peak RSS in MiB: the benchmark's process (every producer, the embedded engine) and the decision service's. */
export interface PeakMemory {
  readonly benchMiB: number;
  readonly pdpMiB: number;
}

const int = (n: number): string => Math.round(n).toLocaleString("en-US");

export function render(opts: SdkBenchOptions, date: Date, machine: readonly string[], results: readonly RoundResult[], memory: PeakMemory): void {
  const of = (name: SystemName): number[] => results.filter((r) => r.system === name).map((r) => r.messagesPerSec);
  const cpuOf = (name: SystemName, pick: (r: RoundResult) => number): string => median(results.filter((r) => r.system === name).map(pick)).toFixed(2);
  const bare = median(of("bare"));
  const systems: SystemName[] = ["bare", "bare-headers", "embedded", "remote-cache", "remote-nocache"];
  const rows = systems.map((name) => [
    SYSTEM_LABELS[name],
    int(median(of(name))),
    `${(median(of(name)) / bare).toFixed(2)}×`,
    of(name).map(int).join(" / "),
    cpuOf(name, (r) => r.clientCpuUsPerMessage),
    name.startsWith("remote") ? cpuOf(name, (r) => r.pdpCpuUsPerMessage) : "–",
  ]);
  const ratio = (name: SystemName): number => median(of(name)) / bare;
  // A round runs every system once, so the i-th result of each system is of the same round.
  const perRound = (name: SystemName, label: string): string => `${label} ${of(name).map((rate, i) => (rate / (of("bare")[i] ?? NaN)).toFixed(2)).join(", ")}`;
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
    "- Guarded sends carry the flow `svc:banana-bench` → `kafka:banana-bench-*` with label `banana` on the example bundle (a clean allow), so each message also carries the flowzone headers; the bare producer sends no headers. " +
      "The bare producer with the flowzone headers writes the same headers (labels and a decision id of the service's shape) with no decision: kafkajs encodes those headers itself (once per batch, as every message of a send carries the same headers object, as a guarded send's do), so this row is the most a guarded producer could reach.",
    "- CPU is user + system time per message sent, of this process (where every producer and the embedded engine run) and of the decision service's process; medians of the rounds.",
    "- Remote: the decision service in its own process on 127.0.0.1 (`startDecisionService`, the example bundle); embedded: the engine in process with its audit writer and the control topic followed.",
    `- A warm-up round of ${opts.warmupSeconds} s per producer, not counted, then ${opts.rounds} rounds of ${opts.seconds} s per producer, systems interleaved within a round, the order rotating by one each round, 5 warm-up sends each; medians of the rounds.`,
    "",
    "### Throughput",
    "",
    markdownTable(["producer", "messages/s (median)", "vs bare", "per round", "producer CPU µs / message", "decision service CPU µs / message"], rows),
    "",
    `- Peak RSS: the benchmark's process (every producer, the embedded engine) ${memory.benchMiB.toFixed(1)} MiB; the decision service ${memory.pdpMiB.toFixed(1)} MiB.`,
    "",
    "### Goals",
    "",
    goalsTable(goals),
    "",
    `- Against the bare producer writing the same headers (kafkajs' limit): embedded ${(median(of("embedded")) / median(of("bare-headers"))).toFixed(2)}×, ` +
      `remote with the cache ${(median(of("remote-cache")) / median(of("bare-headers"))).toFixed(2)}×.`,
    `- Per-round ratios to the bare producer of the same round (messages/s): ${perRound("bare-headers", "with the headers")}; ${perRound("embedded", "embedded")}; ${perRound("remote-cache", "remote with the cache")}.`,
    "",
  ].join("\n");
  process.stdout.write(`${body}\n`);
  if (opts.write) process.stderr.write(`wrote ${writeSection("sdk", body)}\n`);
}
