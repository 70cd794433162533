import type { Metadata, ServerUnaryCall } from "@grpc/grpc-js";
import type { AuditWriter } from "@flowzone/audit";
import { checkFieldBytes, type Decision, type PolicyEngine } from "@flowzone/engine";
import type { FlowReporter } from "@flowzone/flow-report";
import type { Logger } from "@flowzone/logging";
import type { PolicyHolder } from "@flowzone/policy-runtime";
import type { CheckRequest, CheckResponse } from "@flowzone/proto";
import type { DecisionMetrics, PresentedCredential } from "@flowzone/telemetry";
import { TRACEPARENT_HEADER, traceIdOf } from "@flowzone/trace-context";
import { auditDecision } from "./audit-decision";
import { BatchAnswers } from "./batch-answers";
import type { Caller, CallerAuthenticator } from "./caller-authenticator";
import { checkBatchSize } from "./check-limits";
import { batchRequestsOf, protoDecisionOf, requestIdOf, violationFieldsOf, toCheckResponse, toWrite } from "./convert";
import type { DecisionHandlers } from "./convert";
import { decide } from "./decide";
import type { DecisionIds } from "./decision-ids";
import { auditMismatches, producerMismatch } from "./identity-refusal";
import type { Limits } from "./limits";
import { toStatus } from "./to-status";

export interface HandlerDeps {
  readonly policy: PolicyHolder;
  readonly ids: DecisionIds;
  readonly limits: Limits;
  readonly logger: Logger;
  /** The audit trail; without it (no Kafka) violations are only answered, not recorded. */
  readonly audit: AuditWriter | undefined;
  /** Counts each decided write's flow for the flows topic; undefined without Kafka or with reporting off. */
  readonly flows: FlowReporter | undefined;
  /** Decision counts and sampled engine time; recording is a few plain increments per call. */
  readonly metrics: DecisionMetrics;
  /**
   * Who callers are and for whom they may speak (mTLS or bearer tokens); undefined when callers
   * are not authenticated (no client CA, no identities file): every producer is taken as claimed.
   */
  readonly authenticator: CallerAuthenticator | undefined;
}

/** What a call carries that tells who its caller is (every kind of server call has both). */
type CallCredentials = Pick<ServerUnaryCall<unknown, unknown>, "metadata" | "getAuthContext">;

const AUTHORIZATION = "authorization";

/** A request refused because its caller may not speak for its producer: the error, and the flush of its audit record. */
interface Refusal {
  readonly error: Error;
  readonly durable: Promise<void> | undefined;
}

/**
 * The DecisionService handlers. The per-call path is kept lean for throughput: no logging, no
 * per-call closures (streams allocate theirs once per stream), no per-call metric attributes
 * (counters are pre-bound cells; engine time is sampled), one read of the engine reference
 * per call (a whole batch is decided by one policy version), and no default answer: a request
 * that cannot be decided fails with a status, never a silent allow.
 */
export function decisionHandlers(deps: HandlerDeps): DecisionHandlers {
  const { policy, ids, limits, logger, audit, flows, metrics, authenticator } = deps;

  /** The authenticated caller, undefined when callers are not authenticated. @throws FlowzoneError `unauthenticated`. */
  const callerOf = (call: CallCredentials): Caller | undefined => {
    if (authenticator === undefined) return undefined;
    const authorization = call.metadata.get(AUTHORIZATION).filter((value): value is string => typeof value === "string");
    const certificate = call.getAuthContext().sslPeerCertificate;
    try {
      return authenticator.authenticate({ certificate, authorization });
    } catch (error) {
      metrics.recordUnauthenticated(presentedCredential(certificate !== undefined, authorization.length > 0));
      throw error;
    }
  };

  /**
   * Checks that `caller` may speak for every request's producer, before any is decided (so a
   * refused batch has no violations audited, and no request is checked for other faults first);
   * a refusal audits one identity_mismatch record per offending request and names the first.
   */
  const refusalOf = (caller: Caller | undefined, requests: readonly CheckRequest[], engine: PolicyEngine, metadata: Metadata, method: "Check" | "CheckBatch" | "CheckStream"): Refusal | undefined => {
    if (caller === undefined || authenticator === undefined) return undefined;
    let offending: CheckRequest[] | undefined;
    let first = -1;
    for (let i = 0; i < requests.length; i++) {
      const request = requests[i] as CheckRequest;
      if (authenticator.maySpeakFor(caller.identity, request.producer)) continue;
      if (offending === undefined) {
        offending = [];
        first = i;
      }
      offending.push(request);
    }
    if (offending === undefined) return undefined;
    metrics.recordIdentityMismatch(caller.credential);
    const offended = requests[first] as CheckRequest;
    const scope = method === "CheckBatch" ? { index: first } : method === "CheckStream" ? { requestId: offended.requestId } : {};
    const context = { id: ids.next(), method, policyVersion: engine.version, traceId: traceIdOf(metadata.get(TRACEPARENT_HEADER)), maxFieldBytes: engine.bundle.defaults.maxFieldBytes };
    const durable = auditMismatches(audit, caller, offending, context);
    return { error: toStatus(producerMismatch(caller, offended.producer, scope), scope, logger, method), durable };
  };

  /** Answers with `refusal` once its audit record is on disk. */
  const refuse = (refusal: Refusal, send: (error: Error) => void): void => {
    if (refusal.durable === undefined) send(refusal.error);
    else void refusal.durable.then(() => { send(refusal.error); });
  };

  /**
   * Decides one request with `engine` and audits its violations; throws for a bad request. Sets
   * `decisionSerial` to its decision id's serial, and `durable` to what must resolve before the
   * response may leave (its audit records flushed), or leaves it undefined when nothing need wait.
   */
  let durable: Promise<void> | undefined;
  let decisionSerial = 0;
  const decideRequest = (request: CheckRequest, engine: PolicyEngine, metadata: Metadata, caller: Caller | undefined): Decision => {
    durable = undefined;
    checkFieldBytes("request_id", request.requestId, engine.bundle.defaults.maxFieldBytes);
    const write = toWrite(request);
    decisionSerial = ids.nextSerial();
    let decision;
    if (metrics.shouldTime()) {
      const startNs = process.hrtime.bigint();
      decision = decide(engine, write, limits);
      metrics.recordDuration(startNs, process.hrtime.bigint());
    } else {
      decision = decide(engine, write, limits);
    }
    flows?.record(write);
    if (audit !== undefined && decision.violations.length > 0) {
      const audited = auditDecision(audit, write, decision, { decisionId: ids.idOf(decisionSerial), policyVersion: engine.version, traceId: traceIdOf(metadata.get(TRACEPARENT_HEADER)), authenticatedIdentity: caller?.identity }, metrics);
      decision = audited.decision;
      durable = audited.durable;
    }
    metrics.record(decision);
    return decision;
  };

  /** {@link decideRequest}, answered as a CheckResponse. */
  const answer = (request: CheckRequest, engine: PolicyEngine, metadata: Metadata, caller: Caller | undefined): CheckResponse => {
    const decision = decideRequest(request, engine, metadata, caller);
    return toCheckResponse(request, decision, ids.idOf(decisionSerial), engine.version);
  };

  /** CheckBatch's answers, written to the wire as they are decided; shared by the batches, each written without a pause. */
  const batchAnswers = new BatchAnswers(ids);

  return {
    check(call, callback): void {
      const request = call.request;
      const engine = policy.current;
      let response;
      try {
        const caller = callerOf(call);
        const refusal = refusalOf(caller, [request], engine, call.metadata, "Check");
        if (refusal !== undefined) {
          refuse(refusal, callback);
          return;
        }
        response = answer(request, engine, call.metadata, caller);
      } catch (error) {
        callback(toStatus(error, {}, logger, "Check"));
        return;
      }
      if (durable === undefined) callback(null, response);
      else void durable.then(() => { callback(null, response); });
    },

    checkBatch(call, callback): void {
      const engine = policy.current;
      let caller: Caller | undefined;
      let requests: readonly CheckRequest[];
      try {
        caller = callerOf(call);
        requests = batchRequestsOf(call.request);
        checkBatchSize(requests.length, limits);
      } catch (error) {
        callback(toStatus(error, {}, logger, "CheckBatch"));
        return;
      }
      const refusal = refusalOf(caller, requests, engine, call.metadata, "CheckBatch");
      if (refusal !== undefined) {
        refuse(refusal, callback);
        return;
      }
      let flushed: Promise<void> | undefined; // group commit flushes in order: the last offer's flush covers the batch
      batchAnswers.begin();
      for (let index = 0; index < requests.length; index++) {
        const request = requests[index] as CheckRequest;
        try {
          const decision = decideRequest(request, engine, call.metadata, caller);
          batchAnswers.add(request.requestId, protoDecisionOf(decision), decisionSerial, engine.version, violationFieldsOf(decision));
        } catch (error) {
          callback(toStatus(error, { index }, logger, "CheckBatch"));
          return;
        }
        flushed = durable ?? flushed;
      }
      const response = batchAnswers.finish();
      if (flushed === undefined) callback(null, response);
      else void flushed.then(() => { callback(null, response); });
    },

    checkStream(call): void {
      let failed = false;
      // One caller per stream: its certificate and metadata are those of the call.
      let caller: Caller | undefined;
      try {
        caller = callerOf(call);
      } catch (error) {
        failed = true;
        call.emit("error", toStatus(error, {}, logger, "CheckStream"));
        return;
      }
      // Backpressure once per burst: a burst of answers (a flush's worth) finds write() false from
      // the first full buffer on; pausing and listening for "drain" on each of them cost as much
      // as the answers, and piled up "drain" listeners.
      let paused = false;
      const send = (response: CheckResponse): void => {
        if (call.write(response) || paused) return;
        paused = true;
        call.pause();
        call.once("drain", () => {
          paused = false;
          call.resume();
        });
      };
      // Answers waiting for their audit records' flush, one group per flush (a group-commit round,
      // shared by many answers): one promise reaction per round rather than per answer. Flushes
      // resolve in the order they were asked for and an answer joins the newest group at least,
      // so answers leave in request order.
      let newest: Waiting | undefined;
      const behind = (flush: Promise<void>): Waiting => {
        if (newest?.flush === flush) return newest;
        const waiting: Waiting = { flush, responses: [] };
        newest = waiting;
        void flush.then(() => {
          if (newest === waiting) newest = undefined;
          for (const response of waiting.responses) send(response);
          waiting.last?.();
        });
        return waiting;
      };
      call.on("data", (request: CheckRequest) => {
        if (failed) return;
        const engine = policy.current;
        const refusal = refusalOf(caller, [request], engine, call.metadata, "CheckStream");
        if (refusal !== undefined) {
          // gRPC has no per-message error: the refusal ends the stream, as a bad request does, once
          // the answers before it and its audit record are flushed.
          failed = true;
          call.pause();
          const flush = refusal.durable ?? newest?.flush;
          const fail = (): void => { call.emit("error", refusal.error); };
          if (flush === undefined) fail();
          else behind(flush).last = fail;
          return;
        }
        let response: CheckResponse;
        try {
          response = answer(request, engine, call.metadata, caller);
        } catch (error) {
          failed = true;
          call.pause();
          call.emit("error", toStatus(error, { requestId: requestIdOf(request) }, logger, "CheckStream"));
          return;
        }
        const flush = durable ?? newest?.flush;
        if (flush === undefined) send(response);
        else behind(flush).responses.push(response);
      });
      call.on("end", () => {
        if (failed) return;
        if (newest === undefined) call.end();
        else newest.last = () => call.end();
      });
      // A cancelled or broken stream is the client's business; grpc-js already ends the call.
      call.on("error", () => undefined);
    },
  };
}

/** CheckStream's answers that wait for one flush; `last` ends the stream (an error or the end) after them. */
interface Waiting {
  readonly flush: Promise<void>;
  readonly responses: CheckResponse[];
  last?: () => void;
}

/** Which credentials a refused call presented, for the refusal count's bounded `credential` label. */
function presentedCredential(certificate: boolean, token: boolean): PresentedCredential {
  if (certificate) return token ? "both" : "client_certificate";
  return token ? "bearer_token" : "none";
}
