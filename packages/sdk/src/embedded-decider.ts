import { randomBytes } from "node:crypto";

import type { Kafka } from "kafkajs";

import { AuditWriter, encodeViolationAudit, OFFER_REFUSALS } from "@flowzone/audit";
import { WriteError, type Decision, type PolicyEngine, type Write } from "@flowzone/engine";
import { startFlowReporter, type FlowReporter } from "@flowzone/flow-report";
import { auditTopicSpec, ensureTopics, flowsTopicSpec } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";
import { startPolicyRuntime, type PolicyRuntime } from "@flowzone/policy-runtime";
import { traceIdOf } from "@flowzone/trace-context";

import { controlVerifyKeysOption } from "./control-verify-keys";
import { fromEngineViolation } from "./convert";
import { DeciderUnavailable, type Decider, type DeciderResult } from "./decider";
import { FlowRequestError } from "./errors";
import type { EmbeddedDeciderOptions } from "./embedded-options";

/** How long `close` gives the audit trail to send what it holds before spooling the rest. */
const AUDIT_CLOSE_MS = 5_000;

/**
 * Decides in process with the same engine the decision service runs, kept current by the policy
 * runtime (bundle directory and control topic), and writes one audit record per violation with
 * enforcement point `sdk`, written ahead to the audit spool before the write proceeds. It never
 * waits on a server; its one failure is the audit trail
 * refusing records, where each violated rule's fail posture decides (a deny stays a deny).
 */
export class EmbeddedDecisionEngine implements Decider {
  readonly mode = "embedded";
  private counter = 0;

  private constructor(
    private readonly idPrefix: string,
    private readonly runtime: PolicyRuntime,
    private readonly audit: AuditWriter,
    /** Counts each decided write's flow for the flows topic; undefined with reporting off. */
    private readonly flows: FlowReporter | undefined,
  ) {}

  /** Loads the bundle (a broken one fails here, naming each `file:line`), follows control, starts the audit writer. */
  static async start(options: Required<EmbeddedDeciderOptions>, kafka: Kafka, logger: Logger): Promise<EmbeddedDecisionEngine> {
    const runtime = await startPolicyRuntime({
      policyDir: options.policyDir,
      reloadIntervalMs: options.reloadIntervalMs,
      logger,
      ...(options.followControlTopic ? { kafka, controlTopic: options.controlTopic, controlVerifyKeys: controlVerifyKeysOption(options.controlVerifyKeys) } : {}),
    });
    try {
      const reportsFlows = options.flowReportIntervalMs > 0;
      await ensureTopics(kafka, [auditTopicSpec(options.auditTopic), ...(reportsFlows ? [flowsTopicSpec(options.flowsTopic)] : [])]);
      const audit = await AuditWriter.start({ kafka, logger, spoolDir: options.auditSpoolDir, topic: options.auditTopic });
      const idPrefix = randomBytes(9).toString("base64url");
      const holder = runtime.holder;
      const flows = startFlowReporter({ kafka, topic: options.flowsTopic, intervalMs: options.flowReportIntervalMs, logger, enforcementPoint: "sdk", reporter: `sdk-${idPrefix}`, policyVersion: () => holder.current.version });
      return new EmbeddedDecisionEngine(idPrefix, runtime, audit, flows);
    } catch (error) {
      await runtime.close();
      throw error;
    }
  }

  /** The engine in force (tests and diagnostics). */
  get engine(): PolicyEngine {
    return this.runtime.holder.current;
  }

  decide(writes: readonly Write[], traceparent: string): Promise<readonly DeciderResult[]> {
    // One engine for the whole batch: never two policy versions in one send.
    const engine = this.runtime.holder.current;
    const traceId = traceIdOf(traceparent);
    try {
      let flushed: Promise<void> | undefined; // the audit trail flushes in order: the last offer's flush covers the batch
      const results = writes.map((write) => {
        const decided = this.decideOne(engine, write, traceId);
        flushed = decided.durable ?? flushed;
        return decided.result;
      });
      return flushed === undefined ? Promise.resolve(results) : flushed.then(() => results);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  answeredFromCache(write: Write): void {
    this.flows?.record(write);
  }

  onPolicyChange(listener: () => void): void {
    this.runtime.onSwap(() => {
      listener();
    });
  }

  async close(): Promise<void> {
    await this.flows?.close();
    await this.audit.close(AUDIT_CLOSE_MS);
    await this.runtime.close();
  }

  /** Decides one write and writes its violations ahead to the audit spool; `durable` is what to await before the write may proceed. */
  private decideOne(engine: PolicyEngine, write: Write, traceId: string): { result: DeciderResult; durable?: Promise<void> } {
    let decision: Decision;
    try {
      decision = engine.decide(write);
    } catch (error) {
      if (error instanceof WriteError) throw new FlowRequestError(error.field, error.value, `flowzone cannot decide this write: ${error.message}`, error);
      throw new DeciderUnavailable("the embedded engine failed on this write", postureOf(engine, write), { cause: error });
    }
    this.flows?.record(write);
    this.counter += 1;
    const decisionId = `${this.idPrefix}-${this.counter.toString(36)}`;
    const result: DeciderResult = {
      allow: decision.allow,
      decisionId,
      policyVersion: engine.version,
      violations: decision.violations.map(fromEngineViolation),
      labels: labelsOf(engine, write),
    };
    if (decision.violations.length === 0) return { result };
    const timeMs = Date.now();
    const records = decision.violations.map((violation, index) =>
      encodeViolationAudit({ decisionId, write, violation, enforcementPoint: "sdk", policyVersion: engine.version, traceId, timeMs }, index),
    );
    const offered = this.audit.offer(records);
    if (offered.accepted) return { result, durable: offered.durable };
    if (!decision.allow) return { result };
    const closed = decision.violations.filter((v) => v.failMode === "closed").map((v) => v.zone);
    if (closed.length === 0) return { result };
    throw new DeciderUnavailable(`the audit trail cannot keep this write's records (${OFFER_REFUSALS[offered.reason]}) and zone ${closed.join(", ")} fails closed`, "closed");
  }
}

function postureOf(engine: PolicyEngine, write: Write): "open" | "closed" | undefined {
  try {
    return engine.failPosture(write);
  } catch {
    return undefined;
  }
}

/** The write's labels plus every label its source assets carry. */
function labelsOf(engine: PolicyEngine, write: Write): readonly string[] {
  if (write.sources.length === 0) return write.labels;
  const labels = new Set(write.labels);
  for (const source of write.sources) for (const label of engine.bundle.assets.get(source)?.labels ?? []) labels.add(label);
  return [...labels];
}
