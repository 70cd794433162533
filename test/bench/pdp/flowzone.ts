/** flowzone under test: the engine in process, and the decision service as a child process. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { PolicyEngine, parseBundle } from "@flowzone/engine";
import type { Write } from "@flowzone/engine";
import { createLogger } from "@flowzone/logging";
import { localCheckBatch } from "@flowzone/pdp";
import type { Child } from "../common/children";
import { startChild } from "../common/children";
import { countFlowzoneBatchDenies } from "../common/codec";
import { flowzoneBundle, requestCycle } from "../common/workload";

/** Returns decide(k): true when the flowzone engine denies request k of the cycle. */
export function engineDecider(): (k: number) => boolean {
  const parsed = parseBundle(flowzoneBundle());
  if (!parsed.ok) throw new Error(`flowzone rejects the zones-20 bundle: ${JSON.stringify(parsed.errors)}`);
  const engine = PolicyEngine.compile(parsed.bundle);
  const writes: Write[] = requestCycle().map((r) => ({
    producer: r.producer,
    sink: r.sink,
    labels: r.labels,
    sources: r.sources,
    purpose: r.purpose,
  }));
  return (k) => !engine.decide(writes[k] as Write).allow;
}

/** Writes the zones-20 bundle into `dir`. */
export function writeBundle(dir: string): void {
  for (const file of flowzoneBundle()) {
    const path = join(dir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
}

export async function startFlowzone(workDir: string): Promise<{ child: Child; address: string; policyVersion: string }> {
  const policyDir = join(workDir, "flowzone-policy");
  writeBundle(policyDir);
  const { child, value } = await startChild(
    "flowzone pdp",
    process.execPath,
    [join(__dirname, "pdp-child.js"), policyDir],
    (line) => {
      if (!line.startsWith('{"benchPort"')) return undefined;
      return JSON.parse(line) as { benchPort: number; policyVersion: string };
    },
    30_000,
  );
  return { child, address: `127.0.0.1:${value.benchPort}`, policyVersion: value.policyVersion };
}

/** Starts the echo (echo-server.ts) on `repliesFile`; `reading`, the reading echo. */
export async function startEcho(repliesFile: string, reading = false): Promise<{ child: Child; address: string }> {
  const { child, value } = await startChild(
    reading ? "grpc-js reading echo" : "grpc-js echo",
    process.execPath,
    [join(__dirname, "echo-server.js"), repliesFile, ...(reading ? ["--read"] : [])],
    (line) => (line.startsWith('{"port"') ? (JSON.parse(line) as { port: number }).port : undefined),
    30_000,
  );
  return { child, address: `127.0.0.1:${value}` };
}

/**
 * A diagnostic, not a contender: the decision service's CheckBatch path without gRPC, in process,
 * by the service's own code (`localCheckBatch`: its decoder, handler and answer writer). Each
 * pre-encoded CheckBatchRequest is answered, and the answer's denies counted off its bytes.
 * Returns decideCycle(): the denies of one whole cycle.
 */
export function batchPathCycle(batchPayloads: readonly Uint8Array[]): () => number {
  const parsed = parseBundle(flowzoneBundle());
  if (!parsed.ok) throw new Error(`flowzone rejects the zones-20 bundle: ${JSON.stringify(parsed.errors)}`);
  const checkBatch = localCheckBatch(PolicyEngine.compile(parsed.bundle), createLogger({ level: "warn", service: "flowzone-bench" }));
  const metadata = new grpc.Metadata();
  return () => {
    let denies = 0;
    for (const payload of batchPayloads) denies += countFlowzoneBatchDenies(checkBatch(payload, metadata));
    return denies;
  };
}
