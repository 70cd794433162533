import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";

import type { Write } from "@flowzone/engine";
import { clientConstructor, fromServiceError } from "@flowzone/grpc-codec";
import { TRACEPARENT_HEADER } from "@flowzone/trace-context";
import { CheckBatchRequestSchema, CheckRequestSchema, DecisionService } from "@flowzone/proto";
import type { CheckBatchRequest, CheckBatchResponse, CheckRequest, CheckResponse } from "@flowzone/proto";

import { fromCheckResponse } from "./convert";
import { DeciderUnavailable, type Decider, type DeciderResult } from "./decider";
import { FlowNotPermittedError, FlowRequestError } from "./errors";
import type { ResolvedRemoteDecider } from "./options";
import { channelCredentials } from "./remote-tls";
import type { ZonePosture } from "./posture-answer";

type Callback<T> = (error: grpc.ServiceError | null, value?: T) => void;

interface RawClient extends grpc.Client {
  check(request: CheckRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: Callback<CheckResponse>): grpc.ClientUnaryCall;
  checkBatch(request: CheckBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: Callback<CheckBatchResponse>): grpc.ClientUnaryCall;
}

const RawDecisionClient = clientConstructor(DecisionService);

/**
 * The longest grpc-js waits between attempts to reconnect to the decision service. Its default,
 * 120 s, is reached after a few minutes down (the wait grows 1.6× from 1 s): a service back after
 * a restart would wait up to two minutes more for its producers, which fail over meanwhile. An
 * attempt every 5 s to a service that is down costs nothing that matters.
 */
const RECONNECT_BACKOFF_MAX_MS = 5_000;

/**
 * Decides with the decision service: one write is one `Check`, several are one `CheckBatch`,
 * each under the deadline. `INVALID_ARGUMENT` is the caller's mistake (`FlowRequestError`);
 * `UNAUTHENTICATED` and `PERMISSION_DENIED` refuse the caller (`FlowNotPermittedError`: never
 * failed open); any other failure, including the deadline, is flowzone's (`DeciderUnavailable`), carrying the
 * posture of the zones the writes touch when the control topic is followed (`zones`).
 */
export class RemoteDecisionClient implements Decider {
  readonly mode = "remote";
  private readonly client: RawClient;

  constructor(
    private readonly options: ResolvedRemoteDecider,
    private readonly zones?: ZonePosture,
  ) {
    this.client = new RawDecisionClient(options.address, channelCredentials(options.tls), {
      interceptors: [...options.interceptors],
      "grpc.max_reconnect_backoff_ms": RECONNECT_BACKOFF_MAX_MS,
    }) as unknown as RawClient;
  }

  async decide(writes: readonly Write[], traceparent: string): Promise<readonly DeciderResult[]> {
    const first = writes[0];
    if (first === undefined) return [];
    // While the connection is failing, grpc-js would fail the call at once all the same, after
    // building it, its deadline and an error with a stack: about 60 µs of CPU a send. It keeps
    // reconnecting meanwhile; once it tries again (CONNECTING, or IDLE until a call), calls go out.
    if (this.client.getChannel().getConnectivityState(false) === grpc.connectivityState.TRANSIENT_FAILURE) {
      throw this.unavailable(writes, `decision service at ${this.options.address} failed (UNAVAILABLE): its connection is failing, and gRPC is reconnecting in the background`);
    }
    const metadata = new grpc.Metadata();
    if (traceparent !== "") metadata.set(TRACEPARENT_HEADER, traceparent);
    if (this.options.bearerToken !== "") metadata.set(AUTHORIZATION, `Bearer ${this.options.bearerToken}`);
    if (writes.length === 1) {
      const response = await this.call<CheckResponse>(writes, (options, done) => this.client.check(toRequest(first), metadata, options, done));
      return [fromCheckResponse(response, first)];
    }
    const request = create(CheckBatchRequestSchema, { requests: writes.map(toRequest) });
    const response = await this.call<CheckBatchResponse>(writes, (options, done) => this.client.checkBatch(request, metadata, options, done));
    if (response.responses.length !== writes.length) {
      throw this.unavailable(writes, `decision service answered ${response.responses.length} decisions for ${writes.length} writes`);
    }
    return response.responses.map((r, i) => fromCheckResponse(r, writes[i] ?? first));
  }

  /**
   * Opens the channel before the first send, so the first Check is not charged the connection
   * set-up against its deadline. Unreachable now is not an error: the fail posture applies per send.
   */
  warmUp(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.client.waitForReady(Date.now() + timeoutMs, (error) => {
        resolve(error === undefined);
      });
    });
  }

  onPolicyChange(): void {
    // The decision service's answers carry the policy version; the cache watches those.
  }

  async close(): Promise<void> {
    this.client.close();
    await this.zones?.close();
  }

  private call<T>(writes: readonly Write[], start: (options: grpc.CallOptions, done: Callback<T>) => void): Promise<T> {
    return new Promise((resolve, reject) => {
      start({ deadline: Date.now() + this.options.deadlineMs }, (error, value) => {
        if (error !== null) reject(toDeciderError(error, this.options.address, (message, cause) => this.unavailable(writes, message, cause)));
        else if (value === undefined) reject(this.unavailable(writes, "decision service sent no answer"));
        else resolve(value);
      });
    });
  }

  /**
   * The writes could not be checked: the posture is that of the zones they touch when the control
   * topic is followed and tells it, else undefined (the producer's `failMode`). Only this path
   * asks; a decided write never does.
   */
  private unavailable(writes: readonly Write[], message: string, cause?: unknown): DeciderUnavailable {
    const options = cause === undefined ? undefined : { cause };
    if (this.zones === undefined) return new DeciderUnavailable(message, undefined, options);
    const { posture, reason } = this.zones.postureOf(writes);
    return new DeciderUnavailable(`${message}; ${reason}`, posture, options);
  }
}

function toRequest(write: Write): CheckRequest {
  return create(CheckRequestSchema, {
    producer: write.producer,
    sink: write.sink,
    labels: [...write.labels],
    sources: [...write.sources],
    purpose: write.purpose,
  });
}

const AUTHORIZATION = "authorization";

/** How a batch's field paths start: `requests[2].labels[0]`. */
const BATCH_ITEM = "requests[";

/**
 * INVALID_ARGUMENT is read from the status details the decision service sends (a
 * `google.rpc.BadRequest` field violation naming the field, `ErrorInfo` metadata with the value),
 * never from the message text.
 */
function toDeciderError(error: grpc.ServiceError, address: string, unavailable: (message: string, cause: unknown) => DeciderUnavailable): Error {
  if (error.code === grpc.status.INVALID_ARGUMENT) {
    const refusal = fromServiceError(error);
    const [violation] = refusal.details.fieldViolations ?? [];
    const field = violation === undefined ? "" : fieldOfWrite(violation.field);
    const value = refusal.details.metadata?.["value"] ?? "";
    return new FlowRequestError(field, value, `flowzone cannot decide this write: ${violation?.description ?? refusal.message}`, refusal);
  }
  if (error.code === grpc.status.PERMISSION_DENIED || error.code === grpc.status.UNAUTHENTICATED) {
    const refusal = fromServiceError(error);
    const metadata = refusal.details.metadata ?? {};
    return new FlowNotPermittedError(metadata["identity"] ?? "", metadata["producer"] ?? "", `the decision service at ${address} refused this producer: ${refusal.message}`, refusal);
  }
  const what = error.code === grpc.status.DEADLINE_EXCEEDED ? "did not answer within the deadline" : `failed (${grpc.status[error.code]})`;
  return unavailable(`decision service at ${address} ${what}: ${error.details}`, error);
}

/** A field path within the write: `labels[0]` of a batch's `requests[2].labels[0]`. */
function fieldOfWrite(path: string): string {
  return path.startsWith(BATCH_ITEM) ? path.slice(path.indexOf("].") + 2) : path;
}
