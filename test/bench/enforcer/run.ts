/** One run: a system under test in its own child process, one guarantee, fresh topics and groups. */
import { once } from "node:events";
import { join } from "node:path";
import type { Kafka } from "kafkajs";

import { startChild } from "../common/children";
import { measureLatency, createTopics, deleteTopics, type LatencyResult } from "./broker-io";
import type { ChildConfig, ChildCounts, ChildEvent, Guarantee } from "./child-protocol";
import type { EnforcerBenchOptions } from "./settings";

export type System = "pipe" | "enforcer";

export interface RunResult {
  readonly system: System;
  readonly guarantee: Guarantee;
  readonly recordsPerSec: number;
  readonly cpuPer100k: number;
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
let runs = 0;

export async function measureRun(ctx: RunContext, system: System, guarantee: Guarantee): Promise<RunResult> {
  runs += 1;
  const runId = `${system}-${guarantee === "exactly-once" ? "eos" : "alo"}-${runs}-${Date.now().toString(36)}`;
  const t = (name: string): string => `bench-${runId}-${name}`;
  const config: ChildConfig = {
    brokers: ctx.brokers,
    guarantee,
    lanes: [
      { name: "main", from: ctx.source, to: t("to"), quarantine: t("quarantine") },
      { name: "latency", from: t("paced"), to: t("paced-to"), quarantine: t("paced-quarantine") },
    ],
    auditTopic: t("audit"),
    policyDir: ctx.policyDir,
    runId,
    target: ctx.opts.records,
  };
  const topics = [
    ...[t("to"), t("quarantine"), t("paced"), t("paced-to"), t("paced-quarantine")].map((topic) => ({ topic, partitions: 4 })),
    { topic: t("audit"), partitions: 1 },
  ];
  await createTopics(ctx.kafka, topics);
  const script = join(__dirname, system === "pipe" ? "pipe-child.js" : "enforcer-child.js");
  const nodeArgs = ctx.opts.cpuProfDir !== undefined && system === "enforcer" ? ["--cpu-prof", `--cpu-prof-dir=${ctx.opts.cpuProfDir}`] : [];

  const events: ChildEvent[] = [];
  const waiters: (() => void)[] = [];
  const { child } = await startChild(`${system} (${guarantee})`, process.execPath, [...nodeArgs, script, JSON.stringify(config)], (line) => {
    if (!line.startsWith("{")) return undefined;
    const event = JSON.parse(line) as ChildEvent;
    events.push(event);
    for (const w of waiters.splice(0)) w();
    return event.event === "ready" ? true : undefined;
  }, 60_000);
  const waitFor = async (name: ChildEvent["event"]): Promise<ChildEvent> => {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const found = events.find((e) => e.event === name);
      if (found !== undefined) return found;
      if (child.process.exitCode !== null) throw new Error(`${child.name} exited early\n${child.log.join("\n")}`);
      if (Date.now() > deadline) throw new Error(`${child.name}: no "${name}" after ${TIMEOUT_MS} ms\n${child.log.join("\n")}`);
      await new Promise<void>((resolve) => { waiters.push(resolve); setTimeout(resolve, 200); });
    }
  };
  try {
    const first = await waitFor("first");
    const done = await waitFor("done");
    if (first.event !== "first" || done.event !== "done") throw new Error("unexpected events");
    const cpu = done.cpuSeconds - first.cpuSeconds;
    const processed = done.counts.records - first.counts.records;
    const latency = await measureLatency(ctx.kafka, t("paced"), t("paced-to"), `bench-latency-${runId}`, ctx.opts.pacedRate, ctx.opts.pacedSeconds);
    return { system, guarantee, recordsPerSec: done.recordsPerSec, cpuPer100k: (cpu / processed) * 100_000, counts: done.counts, latency };
  } finally {
    // A closed stdin makes the child close its clients and exit (and write its CPU profile).
    const exited = child.process.exitCode === null ? once(child.process, "exit") : Promise.resolve();
    child.process.stdin?.end();
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    await child.stop();
    await deleteTopics(ctx.kafka, topics.map((x) => x.topic));
  }
}
