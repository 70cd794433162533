/**
 * One run: a system under test in its own child process (a consumer group of `consumers` child
 * processes in cluster mode), one guarantee, fresh topics and groups.
 */
import { join } from "node:path";
import type { Kafka } from "kafkajs";

import { endChild, startChild, type Child } from "../common/children";
import { peakRssMiB } from "../common/memory";
import { measureLatency, createTopics, deleteTopics, type LatencyResult } from "./broker-io";
import type { ChildConfig, ChildCounts, ChildEvent, Guarantee } from "./child-protocol";
import { GroupProgress } from "./group-progress";
import type { EnforcerBenchOptions, System } from "./settings";

export interface RunResult {
  readonly system: System;
  readonly guarantee: Guarantee;
  readonly recordsPerSec: number;
  readonly cpuPer100k: number;
  /** The largest peak RSS among the run's children, read as they finish. */
  readonly peakRssMiB: number;
  /** Summed over the run's children. */
  readonly counts: ChildCounts;
  readonly latency: LatencyResult;
}

export interface RunContext {
  readonly kafka: Kafka;
  readonly brokers: string;
  readonly source: string;
  readonly policyDir: string;
  readonly opts: EnforcerBenchOptions;
}

const TIMEOUT_MS = 300_000;
/** Until a child has started its system: three processes joining one group at once on a busy machine can take minutes. */
const START_TIMEOUT_MS = 180_000;
let runs = 0;

export async function measureRun(ctx: RunContext, system: System, guarantee: Guarantee): Promise<RunResult> {
  runs += 1;
  const runId = `${system}-${guarantee === "exactly-once" ? "eos" : "alo"}-${runs}-${Date.now().toString(36)}`;
  const t = (name: string): string => `bench-${runId}-${name}`;
  const config: ChildConfig = {
    brokers: ctx.brokers,
    guarantee,
    writes: system === "pipe-writes" ? "enforcer" : "copy",
    lanes: [
      { name: "main", from: ctx.source, to: t("to"), quarantine: t("quarantine") },
      { name: "latency", from: t("paced"), to: t("paced-to"), quarantine: t("paced-quarantine") },
    ],
    auditTopic: t("audit"),
    policyDir: ctx.policyDir,
    runId,
  };
  const topics = [
    ...[t("to"), t("quarantine"), t("paced"), t("paced-to"), t("paced-quarantine")].map((topic) => ({ topic, partitions: ctx.opts.partitions })),
    { topic: t("audit"), partitions: 1 },
  ];
  await createTopics(ctx.kafka, topics);
  const script = join(__dirname, system === "enforcer" ? "enforcer-child.js" : "pipe-child.js");
  // A folder per system and guarantee, so that the enforcer's profiles can be set beside its references'.
  const nodeArgs = ctx.opts.cpuProfDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${join(ctx.opts.cpuProfDir, `${system}-${guarantee}`)}`];

  const group = new GroupProgress(ctx.opts.consumers, ctx.opts.records);
  const waiters: (() => void)[] = [];
  const children: Child[] = [];
  try {
    const started = await Promise.all(
      Array.from({ length: ctx.opts.consumers }, (_, index) =>
        startChild(`${system} ${index + 1}/${ctx.opts.consumers} (${guarantee})`, process.execPath, [...nodeArgs, script, JSON.stringify(config)], (line) => {
          if (!line.startsWith("{")) return undefined;
          // Other JSON lines are the child's log.
          const event = JSON.parse(line) as Partial<ChildEvent>;
          if (event.event === "ready") return true;
          if (event.event === "progress") {
            group.add(index, event as ChildEvent & { event: "progress" });
            for (const w of waiters.splice(0)) w();
          }
          return undefined;
        }, START_TIMEOUT_MS),
      ),
    );
    children.push(...started.map((s) => s.child));
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const done = group.done;
      if (done !== undefined) {
        const latency = await measureLatency(ctx.kafka, t("paced"), t("paced-to"), `bench-latency-${runId}`, ctx.opts.pacedRate, ctx.opts.pacedSeconds, system !== "pipe");
        return { system, guarantee, ...done, latency, peakRssMiB: Math.max(...children.map((c) => peakRssMiB(c.pid))) };
      }
      const exited = children.find((c) => c.process.exitCode !== null);
      if (exited !== undefined) throw new Error(`${exited.name} exited early\n${exited.log.join("\n")}`);
      if (Date.now() > deadline) throw new Error(`${system} (${guarantee}): not every record committed after ${TIMEOUT_MS} ms\n${children.map((c) => `--- ${c.name}\n${c.log.join("\n")}`).join("\n")}`);
      await new Promise<void>((resolve) => { waiters.push(resolve); setTimeout(resolve, 200); });
    }
  } finally {
    // A closed stdin makes each child close its clients and exit (and write its CPU profile).
    await Promise.all(children.map((child) => endChild(child, 20_000)));
    await deleteTopics(ctx.kafka, topics.map((x) => x.topic));
  }
}
