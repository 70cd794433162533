import type { Metadata } from "@grpc/grpc-js";
import type { AuditWriter } from "@flowzone/audit";
import { checkFieldBytes, type PolicyEngine } from "@flowzone/engine";
import type { Logger } from "@flowzone/logging";
import type { PolicyHolder } from "@flowzone/policy-runtime";
import type { CheckRequest, CheckResponse } from "@flowzone/proto";
import type { DecisionMetrics } from "@flowzone/telemetry";
import { TRACEPARENT_HEADER, traceIdOf } from "@flowzone/trace-context";
import { auditDecision } from "./audit-decision";
import { checkBatchSize } from "./check-limits";
import { batchRequestsOf, requestIdOf, toCheckBatchResponse, toCheckResponse, toWrite } from "./convert";
import type { DecisionHandlers } from "./convert";
import { decide } from "./decide";
import type { DecisionIds } from "./decision-ids";
import type { Limits } from "./limits";
import { toStatus } from "./to-status";

export interface HandlerDeps {
  readonly policy: PolicyHolder;
  readonly ids: DecisionIds;
  readonly limits: Limits;
  readonly logger: Logger;
  /** The audit trail; without it (no Kafka) violations are only answered, not recorded. */
  readonly audit: AuditWriter | undefined;
  /** Decision counts and sampled engine time; recording is a few plain increments per call. */
  readonly metrics: DecisionMetrics;
}

/**
 * The DecisionService handlers. The per-call path is kept lean for throughput: no logging, no
 * per-call closures (streams allocate theirs once per stream), no per-call metric attributes
 * (counters are pre-bound cells; engine time is sampled), one read of the engine reference
 * per call (a whole batch is decided by one policy version), and no default answer: a request
 * that cannot be decided fails with a status, never a silent allow.
 */
export function decisionHandlers(deps: HandlerDeps): DecisionHandlers {
  const { policy, ids, limits, logger, audit, metrics } = deps;

  /**
   * Decides one request with `engine` and audits its violations; throws for a bad request. Sets
   * `durable` to what must resolve before the response may leave (its audit records flushed), or
   * leaves it undefined when nothing need wait.
   */
  let durable: Promise<void> | undefined;
  const answer = (request: CheckRequest, engine: PolicyEngine, metadata: Metadata): CheckResponse => {
    durable = undefined;
    checkFieldBytes("request_id", request.requestId, engine.bundle.defaults.maxFieldBytes);
    const write = toWrite(request);
    const decisionId = ids.next();
    let decision;
    if (metrics.shouldTime()) {
      const startNs = process.hrtime.bigint();
      decision = decide(engine, write, limits);
      metrics.recordDuration(startNs, process.hrtime.bigint());
    } else {
      decision = decide(engine, write, limits);
    }
    if (audit !== undefined && decision.violations.length > 0) {
      const audited = auditDecision(audit, write, decision, { decisionId, policyVersion: engine.version, traceId: traceIdOf(metadata.get(TRACEPARENT_HEADER)) }, metrics);
      decision = audited.decision;
      durable = audited.durable;
    }
    metrics.record(decision);
    return toCheckResponse(request, decision, decisionId, engine.version);
  };

  return {
    check(call, callback): void {
      const request = call.request;
      const engine = policy.current;
      let response;
      try {
        response = answer(request, engine, call.metadata);
      } catch (error) {
        callback(toStatus(error, {}, logger, "Check"));
        return;
      }
      if (durable === undefined) callback(null, response);
      else void durable.then(() => { callback(null, response); });
    },

    checkBatch(call, callback): void {
      const requests = batchRequestsOf(call.request);
      try {
        checkBatchSize(requests.length, limits);
      } catch (error) {
        callback(toStatus(error, {}, logger, "CheckBatch"));
        return;
      }
      const engine = policy.current;
      const responses: CheckResponse[] = [];
      let flushed: Promise<void> | undefined; // group commit flushes in order: the last offer's flush covers the batch
      for (const request of requests) {
        try {
          responses.push(answer(request, engine, call.metadata));
        } catch (error) {
          callback(toStatus(error, { index: responses.length }, logger, "CheckBatch"));
          return;
        }
        flushed = durable ?? flushed;
      }
      if (flushed === undefined) callback(null, toCheckBatchResponse(responses));
      else void flushed.then(() => { callback(null, toCheckBatchResponse(responses)); });
    },

    checkStream(call): void {
      let failed = false;
      // The newest flush a response waits for; responses behind it wait too, so order holds.
      let unflushed: Promise<void> | undefined;
      const resume = (): void => {
        call.resume();
      };
      const send = (response: CheckResponse): void => {
        if (!call.write(response)) {
          call.pause();
          call.once("drain", resume);
        }
      };
      const after = (flush: Promise<void>, then: () => void): void => {
        unflushed = flush;
        void flush.then(() => {
          if (unflushed === flush) unflushed = undefined;
          then();
        });
      };
      call.on("data", (request: CheckRequest) => {
        if (failed) return;
        const engine = policy.current;
        let response: CheckResponse;
        try {
          response = answer(request, engine, call.metadata);
        } catch (error) {
          failed = true;
          call.pause();
          call.emit("error", toStatus(error, { requestId: requestIdOf(request) }, logger, "CheckStream"));
          return;
        }
        const flush = durable ?? unflushed;
        if (flush === undefined) send(response);
        else after(flush, () => { send(response); });
      });
      call.on("end", () => {
        if (failed) return;
        if (unflushed === undefined) call.end();
        else after(unflushed, () => call.end());
      });
      // A cancelled or broken stream is the client's business; grpc-js already ends the call.
      call.on("error", () => undefined);
    },
  };
}
