import type { Metadata, ServerUnaryCall, sendUnaryData } from "@grpc/grpc-js";
import type { PolicyEngine } from "@flowzone/engine";
import type { Logger } from "@flowzone/logging";
import type { CheckBatchRequest, CheckBatchResponse } from "@flowzone/proto";
import { DecisionMetrics, createTelemetry } from "@flowzone/telemetry";
import { WrittenBatchResponse } from "./batch-answers";
import { DecisionIds } from "./decision-ids";
import { DEFAULTS } from "./defaults";
import { decisionHandlers } from "./handlers";
import { DECISION_CODECS } from "./wire-codec";

/**
 * The decision service's CheckBatch path without gRPC: a CheckBatchRequest's bytes decoded,
 * each request decided by `engine` and answered, and the CheckBatchResponse's bytes returned,
 * by the same decoder, handler and answer writer as a call to the service (with the service's
 * default limits, no audit trail, no flow reports, callers not authenticated). For benchmarks
 * that set the service's own work per check beside grpc-js's. Throws the status a call would
 * have been answered with.
 */
export function localCheckBatch(engine: PolicyEngine, logger: Logger): (request: Uint8Array, metadata: Metadata) => Buffer {
  const handlers = decisionHandlers({
    policy: { current: engine },
    ids: new DecisionIds(),
    limits: DEFAULTS.limits,
    logger,
    audit: undefined,
    flows: undefined,
    metrics: new DecisionMetrics(createTelemetry({ serviceName: "flowzone-local-check-batch" })),
    authenticator: undefined,
  });
  // What the handler answered the call last made; it answers before returning, with no audit trail to wait for.
  const outcome: { error: Parameters<sendUnaryData<CheckBatchResponse>>[0]; response: CheckBatchResponse | null | undefined } = { error: null, response: undefined };
  const callback: sendUnaryData<CheckBatchResponse> = (error, response) => {
    outcome.error = error;
    outcome.response = response;
  };
  return (request, metadata) => {
    Object.assign(outcome, { error: null, response: undefined });
    // The request as the service's codec hands it to grpc-js; the handler reads it and, were
    // callers authenticated, the metadata and the TLS context.
    const call = { request: DECISION_CODECS.checkBatch.decodeRequest(request), metadata, getAuthContext: () => ({}) };
    handlers.checkBatch(call as unknown as ServerUnaryCall<CheckBatchRequest, CheckBatchResponse>, callback);
    const error = outcome.error;
    if (error !== null) throw error instanceof Error ? error : Object.assign(new Error(error.details ?? "CheckBatch failed"), error);
    if (!(outcome.response instanceof WrittenBatchResponse)) throw new Error("CheckBatch did not answer with its written bytes before returning");
    return outcome.response.bytes;
  };
}
