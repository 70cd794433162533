import type { Interceptor } from "@grpc/grpc-js";
import type { Kafka, ProducerConfig } from "kafkajs";

import type { FailMode } from "@flowzone/engine";
import { AUDIT_TOPIC, CONTROL_TOPIC, FLOWS_TOPIC } from "@flowzone/kafka";
import { createLogger, type Logger } from "@flowzone/logging";

import type { Decider } from "./decider";
import { remoteTlsOf, type RemoteTls } from "./remote-tls";

/** Decide with the decision service over gRPC. */
export interface RemoteDecider {
  readonly mode: "remote";
  /** `host:port` of the decision service. */
  readonly address: string;
  /** Deadline of one Check or CheckBatch; past it the write is unchecked (fail posture applies). */
  readonly deadlineMs?: number;
  /** grpc-js client interceptors (tracing, metrics, tests counting calls). */
  readonly interceptors?: readonly Interceptor[];
  /**
   * Follow flowzone.control.v1 (default true) to learn each zone's `failMode` from the bundle
   * pushed there and its zone flips, so a write the decision service cannot check fails closed
   * when a zone it touches does. `connect()` then waits for the topic's replay. Off, or before
   * any bundle has been read from the topic, the producer's `failMode` option alone applies.
   */
  readonly followControlTopic?: boolean;
  readonly controlTopic?: string;
  /**
   * Comma-separated PEM files of the control plane's Ed25519 public keys (as
   * `FLOWZONE_CONTROL_VERIFY_KEYS`): given, the fail posture follows only control records signed
   * by one of them; the others are logged as errors and skipped. "" (the default): every record
   * applies. Read on `connect()`.
   */
  readonly controlVerifyKeys?: string;
  /**
   * Sent as `authorization: Bearer <token>` metadata on every call, for a decision service that
   * authenticates producers by token (its identities file, `FLOWZONE_IDENTITIES`). The service
   * takes the token's identity as the caller, which may claim only the producers it speaks for.
   * Over a plaintext channel anyone on the path can read it: use it with TLS.
   */
  readonly bearerToken?: string;
  /**
   * TLS to a decision service that serves it (`FLOWZONE_TLS_CERT`): PEM files of the CA to trust
   * and, for one that requires client certificates (`FLOWZONE_TLS_CLIENT_CA`), the producer's
   * certificate and key. Unset: plaintext.
   */
  readonly tls?: RemoteTls | undefined;
}

/** A remote decider with every default filled in; `tls` stays undefined for plaintext. */
export type ResolvedRemoteDecider = Required<Omit<RemoteDecider, "tls">> & { readonly tls: RemoteTls | undefined };

/**
 * Decide in process with the engine. Made by `embeddedDecider({ policyDir, auditSpoolDir })` of
 * `@flowzone/sdk/embedded`, the entry point that loads the engine, the policy runtime and the
 * audit writer; a producer deciding remotely never loads them.
 */
export interface EmbeddedDecider {
  readonly mode: "embedded";
  /** Started by `connect()`: loads the bundle, follows the control topic, starts the audit trail. */
  start(kafka: Kafka, logger: Logger): Promise<Decider>;
}

/** Options of {@link createGuardedProducer}; every optional one has its default in {@link SDK_DEFAULTS}. */
export interface GuardedProducerOptions {
  /** The kafkajs client the messages (and, embedded, the audit records) are written with. */
  readonly kafka: Kafka;
  readonly decider: RemoteDecider | EmbeddedDecider;
  /** Asset id writes are checked as when a send's flow names none, e.g. `svc:orders-api`. */
  readonly producer?: string;
  /**
   * The producer's own fail posture, for a write flowzone cannot check (remote: the decision
   * service unreachable or late). The strictest posture wins: the write fails closed when this
   * is `closed`, or when a zone (or rule) it touches fails closed. Remote, the zones' posture is
   * learnt from the control topic (`decider.followControlTopic`); while no bundle has been read
   * from it, with it not followed, or for a write that bundle cannot place (an unknown label or
   * source), this option alone decides. Embedded, the engine's `failPosture(write)` tells it.
   */
  readonly failMode?: FailMode;
  /** Decision cache by write shape; 0 entries turns it off. */
  readonly cacheMaxEntries?: number;
  readonly cacheTtlMs?: number;
  /** kafkajs producer settings (idempotence, batching); passed through. */
  readonly producerConfig?: ProducerConfig;
  /** acks of every send; default -1 (all in-sync replicas). */
  readonly acks?: number;
  readonly logger?: Logger;
}

/** The defaults, in one place (the embedded decider's too: `embeddedDecider` reads them here). */
export const SDK_DEFAULTS = {
  deadlineMs: 200,
  reloadIntervalMs: 1_000,
  followControlTopic: true,
  controlTopic: CONTROL_TOPIC,
  auditTopic: AUDIT_TOPIC,
  flowsTopic: FLOWS_TOPIC,
  failMode: "open",
  cacheMaxEntries: 10_000,
  cacheTtlMs: 30_000,
  acks: -1,
} as const;

/** Options with every default filled in and every limit checked. */
export interface ResolvedOptions {
  readonly kafka: Kafka;
  readonly decider: ResolvedRemoteDecider | EmbeddedDecider;
  readonly producer: string | undefined;
  readonly failMode: FailMode;
  readonly cacheMaxEntries: number;
  readonly cacheTtlMs: number;
  readonly producerConfig: ProducerConfig;
  readonly acks: number;
  readonly logger: Logger;
}

/** The engine's asset-id syntax (`<system>:<name>`), checked early so a typo fails at construction. */
const ASSET_ID = /^[a-z][a-z0-9_-]*:[A-Za-z0-9._/-]+$/;

/** Fills defaults and throws a `TypeError` or `RangeError` naming the option on anything wrong. */
export function resolveOptions(options: GuardedProducerOptions): ResolvedOptions {
  const given = options as Partial<GuardedProducerOptions> | undefined;
  if (given === undefined || typeof given !== "object") throw new TypeError("guarded producer: options must be an object");
  if (typeof (given.kafka as Partial<Kafka> | undefined)?.producer !== "function") throw new TypeError("guarded producer: kafka must be a kafkajs client");
  const failMode: string = options.failMode ?? SDK_DEFAULTS.failMode;
  if (failMode !== "open" && failMode !== "closed") throw new RangeError(`guarded producer: failMode must be "open" or "closed", got "${failMode}"`);
  if (options.producer !== undefined && !ASSET_ID.test(options.producer)) {
    throw new RangeError(`guarded producer: producer must be an asset id like svc:orders-api, got "${options.producer}"`);
  }
  const resolved: ResolvedOptions = {
    kafka: options.kafka,
    decider: resolveDecider(given.decider),
    producer: options.producer,
    failMode,
    cacheMaxEntries: options.cacheMaxEntries ?? SDK_DEFAULTS.cacheMaxEntries,
    cacheTtlMs: options.cacheTtlMs ?? SDK_DEFAULTS.cacheTtlMs,
    producerConfig: options.producerConfig ?? {},
    acks: options.acks ?? SDK_DEFAULTS.acks,
    logger: options.logger ?? createLogger({ service: "flowzone-sdk" }),
  };
  checkInteger("cacheMaxEntries", resolved.cacheMaxEntries, 0, 10_000_000);
  checkInteger("cacheTtlMs", resolved.cacheTtlMs, 1, 24 * 3_600_000);
  if (resolved.acks !== -1 && resolved.acks !== 0 && resolved.acks !== 1) throw new RangeError(`guarded producer: acks must be -1, 0 or 1, got ${resolved.acks}`);
  return resolved;
}

function resolveDecider(given: RemoteDecider | EmbeddedDecider | undefined): ResolvedRemoteDecider | EmbeddedDecider {
  // Read as untyped input: options often come from configuration, not from checked code.
  const decider = given as Partial<RemoteDecider> | Partial<EmbeddedDecider> | undefined;
  if (decider === undefined || typeof decider !== "object") throw new TypeError('guarded producer: decider must be { mode: "remote", address } or embeddedDecider({ policyDir, auditSpoolDir }) of "@flowzone/sdk/embedded"');
  if (decider.mode === "remote") {
    if (typeof decider.address !== "string" || !/^[^\s]+:\d{1,5}$/.test(decider.address)) {
      throw new RangeError(`guarded producer: decider.address must be host:port, got "${String(decider.address)}"`);
    }
    const follow: unknown = decider.followControlTopic ?? SDK_DEFAULTS.followControlTopic;
    if (typeof follow !== "boolean") throw new TypeError(`guarded producer: decider.followControlTopic must be true or false, got ${JSON.stringify(follow)}`);
    const controlTopic: unknown = decider.controlTopic ?? SDK_DEFAULTS.controlTopic;
    if (typeof controlTopic !== "string" || controlTopic === "") throw new RangeError("guarded producer: decider.controlTopic must be a topic name");
    const resolved: ResolvedRemoteDecider = {
      mode: "remote",
      address: decider.address,
      deadlineMs: decider.deadlineMs ?? SDK_DEFAULTS.deadlineMs,
      interceptors: decider.interceptors ?? [],
      followControlTopic: follow,
      controlTopic,
      controlVerifyKeys: decider.controlVerifyKeys ?? "",
      bearerToken: bearerTokenOf(decider.bearerToken),
      tls: remoteTlsOf(decider.tls),
    };
    checkInteger("decider.deadlineMs", resolved.deadlineMs, 1, 60_000);
    if (typeof resolved.controlVerifyKeys !== "string") throw new TypeError("guarded producer: decider.controlVerifyKeys must be comma-separated PEM file paths");
    return resolved;
  }
  if (decider.mode === "embedded") {
    if (typeof decider.start !== "function") {
      throw new TypeError('guarded producer: an embedded decider is made by embeddedDecider({ policyDir, auditSpoolDir }) of "@flowzone/sdk/embedded"');
    }
    return decider as EmbeddedDecider;
  }
  throw new RangeError(`guarded producer: decider.mode must be "remote" or "embedded", got "${String((decider as { mode?: unknown }).mode)}"`);
}

/** The token to send, "" for none. A token with white space could never match: refused here. */
function bearerTokenOf(token: unknown): string {
  if (token === undefined) return "";
  if (typeof token !== "string" || !/^\S+$/.test(token)) throw new RangeError("guarded producer: decider.bearerToken must be a non-empty string without white space (the token itself, without \"Bearer \")");
  return token;
}

/** Throws a `RangeError` naming the option unless `value` is an integer in [min, max]. */
export function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`guarded producer: ${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}
