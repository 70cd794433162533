/**
 * One grpc-js load generator for every server: raw Buffer (de)serialisers, pre-encoded payloads
 * pooled over one workload cycle, a fixed number of calls in flight for a fixed duration.
 * Every answered check's decision is recorded by its sequence number and compared, after the
 * round, with the workload's expected decision for that request.
 */
import * as grpc from "@grpc/grpc-js";
import { CYCLE, expectedDeny } from "./workload";

const identity = (b: Buffer): Buffer => b;

/** A client for `address`, plaintext unless `credentials` say otherwise (bench:tls). */
export function connect(address: string, credentials = grpc.credentials.createInsecure()): grpc.Client {
  return new grpc.Client(address, credentials, {
    "grpc.max_receive_message_length": 64 * 1024 * 1024,
    "grpc.max_send_message_length": 64 * 1024 * 1024,
  });
}

export function waitForReady(client: grpc.Client, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    client.waitForReady(Date.now() + timeoutMs, (err) => { if (err) reject(err); else resolve(); });
  });
}

/** Calls pooled over one cycle: payloads[j] decides requests k = j*checksPerCall .. (j+1)*checksPerCall-1. */
export interface CallPool {
  readonly path: string;
  readonly payloads: readonly Buffer[];
  readonly checksPerCall: number;
  /** Writes the deny flags of one response into out[base..]; returns how many checks it answered. */
  readonly decode: (response: Buffer, out: Uint8Array, base: number, payloadIndex: number) => number;
}

/** One request per message on a bidirectional stream; `decode` gives the request id and the decision. */
export interface StreamPool {
  readonly path: string;
  /** payloads[k] is request k of the cycle; its request id is String(k). */
  readonly payloads: readonly Buffer[];
  readonly decode: (response: Buffer) => { readonly requestId: string; readonly deny: boolean };
}

export interface RunResult {
  readonly calls: number;
  readonly checks: number;
  readonly seconds: number;
  readonly callsPerSec: number;
  readonly checksPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly denies: number;
  /** Checks whose decision differs from the workload's expected decision (must be 0). */
  readonly mismatches: number;
  /** Sequence number of the first mismatch, -1 when none. */
  readonly firstMismatch: number;
  /** Deny flags of the answered checks, by sequence number from the round's startSeq. */
  readonly outcomes: Uint8Array;
  /** CPU seconds the client (this process) used. */
  readonly clientCpuS: number;
}

/** Growable per-check deny flags and per-call latencies. */
class Recorder {
  outcomes = new Uint8Array(1 << 20);
  latUs = new Float64Array(1 << 18);
  nLat = 0;

  ensureChecks(n: number): void {
    if (n <= this.outcomes.length) return;
    let size = this.outcomes.length;
    while (size < n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.outcomes);
    this.outcomes = next;
  }

  latency(us: number): void {
    if (this.nLat === this.latUs.length) {
      const next = new Float64Array(this.latUs.length * 2);
      next.set(this.latUs);
      this.latUs = next;
    }
    this.latUs[this.nLat++] = us;
  }

  constructor(readonly startSeq: number) {}

  result(calls: number, checks: number, seconds: number, clientCpuS: number): RunResult {
    let denies = 0;
    let mismatches = 0;
    let firstMismatch = -1;
    for (let s = 0; s < checks; s++) {
      const deny = this.outcomes[s] === 1;
      if (deny) denies++;
      if (deny !== expectedDeny(this.startSeq + s)) {
        mismatches++;
        if (firstMismatch < 0) firstMismatch = this.startSeq + s;
      }
    }
    const lat = this.latUs.subarray(0, this.nLat).sort();
    const pct = (p: number): number => (lat.length === 0 ? NaN : (lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN) / 1000);
    return {
      calls,
      checks,
      seconds,
      callsPerSec: calls / seconds,
      checksPerSec: checks / seconds,
      p50Ms: pct(0.5),
      p99Ms: pct(0.99),
      denies,
      mismatches,
      firstMismatch,
      outcomes: this.outcomes.slice(0, checks),
      clientCpuS,
    };
  }
}

const nowUs = (): number => performance.now() * 1000;
const cpuS = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Closed loop: `concurrency` calls in flight; a new call leaves as soon as one returns, until `durationMs`. */
export function runClosedLoop(client: grpc.Client, pool: CallPool, concurrency: number, durationMs: number, startSeq = 0): Promise<RunResult> {
  const rec = new Recorder(startSeq);
  const nPayloads = pool.payloads.length;
  if (nPayloads * pool.checksPerCall !== CYCLE) throw new Error(`a pool must cover exactly one cycle of ${CYCLE} requests`);
  if (startSeq % pool.checksPerCall !== 0) throw new Error("a round must start on a call boundary");
  const firstCall = startSeq / pool.checksPerCall;
  return new Promise((resolve, reject) => {
    const cpu0 = cpuS();
    const t0 = performance.now();
    const deadline = t0 + durationMs;
    let issued = 0;
    let answered = 0;
    let inFlight = 0;
    let failed: Error | undefined;
    const finish = (): void => {
      const seconds = (performance.now() - t0) / 1000;
      if (failed) reject(failed);
      else resolve(rec.result(answered, answered * pool.checksPerCall, seconds, cpuS() - cpu0));
    };
    const issue = (): void => {
      const call = issued++;
      const j = (firstCall + call) % nPayloads;
      const base = call * pool.checksPerCall;
      rec.ensureChecks(base + pool.checksPerCall);
      inFlight++;
      const start = nowUs();
      client.makeUnaryRequest(pool.path, identity, identity, pool.payloads[j] as Buffer, (err, response) => {
        inFlight--;
        if (err || response === undefined) failed ??= err ?? new Error("empty response");
        else {
          rec.latency(nowUs() - start);
          try {
            const n = pool.decode(response, rec.outcomes, base, j);
            if (n !== pool.checksPerCall) throw new Error(`${pool.path}: ${n} results for ${pool.checksPerCall} checks`);
            answered++;
          } catch (e) {
            failed ??= e as Error;
          }
        }
        if (!failed && performance.now() < deadline) issue();
        else if (inFlight === 0) finish();
      });
    };
    for (let i = 0; i < concurrency; i++) issue();
  });
}

/**
 * Streams: `streams` bidirectional streams, each keeping `window` requests in flight. A check's
 * sequence number s sends request s mod CYCLE; answers are matched by request id.
 */
export function runStreams(client: grpc.Client, pool: StreamPool, streams: number, window: number, durationMs: number, startSeq = 0): Promise<RunResult> {
  if (pool.payloads.length !== CYCLE) throw new Error(`a stream pool must hold exactly ${CYCLE} requests`);
  if (streams * window >= CYCLE) throw new Error("more checks in flight than request ids in a cycle");
  const rec = new Recorder(startSeq);
  return new Promise((resolve, reject) => {
    const cpu0 = cpuS();
    const t0 = performance.now();
    const deadline = t0 + durationMs;
    let issued = 0;
    let answered = 0;
    let open = streams;
    let failed: Error | undefined;
    const fail = (e: Error): void => { failed ??= e; };
    const done = (): void => {
      if (--open > 0) return;
      const seconds = (performance.now() - t0) / 1000;
      if (failed) reject(failed);
      else resolve(rec.result(answered, answered, seconds, cpuS() - cpu0));
    };
    for (let i = 0; i < streams; i++) {
      const call = client.makeBidiStreamRequest(pool.path, identity, identity);
      const pending = new Map<string, { seq: number; start: number }>();
      let ended = false;
      const send = (): void => {
        const seq = issued++;
        rec.ensureChecks(seq + 1);
        const k = (startSeq + seq) % CYCLE;
        pending.set(String(k), { seq, start: nowUs() });
        call.write(pool.payloads[k] as Buffer);
      };
      call.on("data", (response: Buffer) => {
        try {
          const { requestId, deny } = pool.decode(response);
          const p = pending.get(requestId);
          if (p === undefined) throw new Error(`${pool.path}: answer for request ${requestId} that is not in flight`);
          pending.delete(requestId);
          rec.latency(nowUs() - p.start);
          rec.outcomes[p.seq] = deny ? 1 : 0;
          answered++;
        } catch (e) {
          fail(e as Error);
        }
        if (!failed && performance.now() < deadline) send();
        else if (pending.size === 0 && !ended) {
          ended = true;
          call.end();
        }
      });
      let closed = false;
      call.on("error", (e: Error) => { fail(e); });
      call.on("status", (status: grpc.StatusObject) => {
        if (status.code !== grpc.status.OK) fail(new Error(`${pool.path}: stream ended with ${status.code} ${status.details}`));
        if (!closed) {
          closed = true;
          done();
        }
      });
      for (let w = 0; w < window; w++) send();
    }
  });
}

/**
 * Open loop: calls leave on a fixed schedule (`rate` per second) whatever the answers do.
 * Latency is taken from each call's send; `lateP99Ms` says how far sends slipped behind schedule.
 */
export async function runPaced(
  client: grpc.Client,
  pool: CallPool,
  rate: number,
  durationMs: number,
  startSeq = 0,
): Promise<RunResult & { readonly lateP99Ms: number }> {
  const rec = new Recorder(startSeq);
  const late: number[] = [];
  const nPayloads = pool.payloads.length;
  if (startSeq % pool.checksPerCall !== 0) throw new Error("a round must start on a call boundary");
  const firstCall = startSeq / pool.checksPerCall;
  const total = Math.round((rate * durationMs) / 1000);
  const result = await new Promise<RunResult>((resolve, reject) => {
    const cpu0 = cpuS();
    const t0 = performance.now();
    let issued = 0;
    let answered = 0;
    let settled = 0;
    let failed: Error | undefined;
    const finish = (): void => {
      clearInterval(timer);
      const seconds = (performance.now() - t0) / 1000;
      if (failed) reject(failed);
      else resolve(rec.result(answered, answered * pool.checksPerCall, seconds, cpuS() - cpu0));
    };
    const tick = (): void => {
      const now = performance.now();
      while (issued < total && t0 + (issued * 1000) / rate <= now) {
        const call = issued++;
        late.push(now - (t0 + (call * 1000) / rate));
        const j = (firstCall + call) % nPayloads;
        const base = call * pool.checksPerCall;
        rec.ensureChecks(base + pool.checksPerCall);
        const start = nowUs();
        client.makeUnaryRequest(pool.path, identity, identity, pool.payloads[j] as Buffer, (err, response) => {
          settled++;
          if (err || response === undefined) failed ??= err ?? new Error("empty response");
          else {
            rec.latency(nowUs() - start);
            try {
              pool.decode(response, rec.outcomes, base, j);
              answered++;
            } catch (e) {
              failed ??= e as Error;
            }
          }
          if (settled === total) finish();
        });
      }
    };
    const timer = setInterval(tick, 1);
  });
  late.sort((a, b) => a - b);
  return { ...result, lateP99Ms: late[Math.floor(0.99 * late.length)] ?? NaN };
}

/** Sends every call of the pool once (`concurrency` in flight) and returns the raw answers by index. */
export function collectResponses(client: grpc.Client, pool: CallPool, concurrency: number): Promise<Buffer[]> {
  const out: Buffer[] = new Array<Buffer>(pool.payloads.length);
  const flags = new Uint8Array(CYCLE);
  return new Promise((resolve, reject) => {
    let next = 0;
    let settled = 0;
    let failed: Error | undefined;
    const issue = (): void => {
      const j = next++;
      client.makeUnaryRequest(pool.path, identity, identity, pool.payloads[j] as Buffer, (err, response) => {
        settled++;
        if (err || response === undefined) failed ??= err ?? new Error("empty response");
        else {
          try {
            pool.decode(response, flags, j * pool.checksPerCall, j);
            out[j] = response;
          } catch (e) {
            failed ??= e as Error;
          }
        }
        if (next < pool.payloads.length && !failed) issue();
        else if (settled === next) {
          if (failed) reject(failed);
          else resolve(out);
        }
      });
    };
    for (let i = 0; i < Math.min(concurrency, pool.payloads.length); i++) issue();
  });
}
