/**
 * One store's run: the real control plane (startControlPlane + startControlService, HTTP on
 * 127.0.0.1, no tokens) in this process on a fresh store, its own topics on the bench's broker;
 * then the fill, the API's latency at that size and ingestion from the audit topic. In process
 * because PGlite is embedded: the process that fills it is the one that serves it.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { startControlPlane } from "@flowzone/control";
import { startControlService } from "@flowzone/control-service";
import type { Logger } from "@flowzone/logging";
import type { Kafka } from "kafkajs";

import { onExit } from "../common/children";
import { flowzoneBundle } from "../common/workload";
import { measureEndpoints, reportedOpen, type EndpointLatency } from "./api-latency";
import { fillBacklog } from "./fill";
import { measureBareRead, measureIngestion, type IngestionResult, type ReadResult } from "./ingestion";
import { int, type ControlBenchOptions, type StoreKind } from "./settings";
import { openStore } from "./stores";

export interface StoreResult {
  readonly kind: StoreKind;
  readonly database: string;
  readonly fillMs: number;
  readonly endpoints: readonly EndpointLatency[];
  readonly ingestion: IngestionResult;
  readonly bareRead: ReadResult;
}

function writeBundle(): string {
  const dir = mkdtempSync(join(tmpdir(), "flowzone-bench-control-policy-"));
  onExit(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  for (const file of flowzoneBundle()) writeFileSync(join(dir, file.path), file.content);
  return dir;
}

async function expectOpen(baseUrl: string, expected: number, when: string): Promise<void> {
  const open = await reportedOpen(baseUrl);
  if (open !== expected) throw new Error(`${when}, GET /v1/zones reports ${int(open)} open signatures, not ${int(expected)}`);
}

export async function runStore(kind: StoreKind, kafka: Kafka, opts: ControlBenchOptions, logger: Logger, progress: (line: string) => void): Promise<StoreResult> {
  const store = await openStore(kind, logger);
  const policyDir = writeBundle();
  const suffix = randomBytes(6).toString("hex");
  const auditTopic = `bench-control-audit-${suffix}`;
  try {
    progress(`${store.name}: starting the control plane`);
    const plane = await startControlPlane({
      database: store.db,
      kafka,
      policyDir,
      logger,
      auditTopic,
      controlTopic: `bench-control-control-${suffix}`,
      flowsTopic: `bench-control-flows-${suffix}`,
      groupId: `bench-control-${suffix}`,
      // The zone holds the fill and every ingested signature: none may be counted as not stored.
      maxOpenSignaturesPerZone: opts.signatures + opts.ingest,
    });
    try {
      const service = await startControlService({ controlPlane: plane.controlPlane, host: "127.0.0.1", httpPort: 0, grpcPort: 0, logger });
      const baseUrl = `http://127.0.0.1:${service.httpPort}`;
      try {
        progress(`${store.name}: filling ${int(opts.signatures)} open signatures`);
        const fillMs = await fillBacklog(store.db, opts.signatures, Date.now(), progress);
        // The tick runs every 5 s anyway; one now, so the timing starts with PGlite's statistics gathered.
        await plane.tick();
        await expectOpen(baseUrl, opts.signatures, "after the fill");
        progress(`${store.name}: filled in ${(fillMs / 1000).toFixed(1)} s; timing the API`);
        const endpoints = await measureEndpoints(baseUrl, opts, progress);
        progress(`${store.name}: ingesting ${int(opts.ingest)} new signatures from ${auditTopic}`);
        const ingestion = await measureIngestion(kafka, store.db, auditTopic, opts.signatures, opts.ingest, progress);
        await expectOpen(baseUrl, opts.signatures + opts.ingest, "after ingestion");
        const bareRead = await measureBareRead(kafka, auditTopic);
        return { kind, database: store.name, fillMs, endpoints, ingestion, bareRead };
      } finally {
        await service.close(1000);
      }
    } finally {
      await plane.close();
    }
  } finally {
    await store.drop();
    rmSync(policyDir, { recursive: true, force: true });
  }
}
