/** Pre-encoded request pools (one workload cycle each) and the matching response decoders. */
import type { CallPool, StreamPool } from "./load-generator";
import {
  decodeCerbosCheck,
  decodeFlowzoneBatch,
  decodeFlowzoneCheck,
  encodeCerbosCheck,
  encodeFlowzoneBatch,
  encodeFlowzoneCheck,
} from "./codec";
import type { WorkloadRequest } from "./workload";
import { CYCLE, requestCycle } from "./workload";

export const BATCH_SIZE = 50;
export const FLOWZONE_CHECK = "/flowzone.v1.DecisionService/Check";
export const FLOWZONE_CHECK_BATCH = "/flowzone.v1.DecisionService/CheckBatch";
export const FLOWZONE_CHECK_STREAM = "/flowzone.v1.DecisionService/CheckStream";
export const CERBOS_CHECK = "/cerbos.svc.v1.CerbosService/CheckResources";

function chunks(requests: readonly WorkloadRequest[], size: number): WorkloadRequest[][] {
  if (requests.length % size !== 0) throw new Error(`${size} does not divide the cycle`);
  const out: WorkloadRequest[][] = [];
  for (let i = 0; i < requests.length; i += size) out.push(requests.slice(i, i + size));
  return out;
}

export interface Pools {
  readonly flowzoneUnary: CallPool;
  readonly flowzoneBatch: CallPool;
  readonly flowzoneStream: StreamPool;
  readonly cerbosUnary: CallPool;
  readonly cerbosBatch: CallPool;
}

export function buildPools(): Pools {
  const cycle = requestCycle();
  const unaryPayloads = cycle.map(encodeFlowzoneCheck);
  const ids = cycle.map((r) => r.requestId);
  const batches = chunks(cycle, BATCH_SIZE);
  const batchIds = batches.map((b) => b.map((r) => r.requestId));

  const flowzoneUnary: CallPool = {
    path: FLOWZONE_CHECK,
    payloads: unaryPayloads,
    checksPerCall: 1,
    decode: (response, out, base, j) => {
      const { requestId, deny } = decodeFlowzoneCheck(response);
      if (requestId !== ids[j]) throw new Error(`answer for request ${requestId}, expected ${ids[j] ?? "?"}`);
      out[base] = deny ? 1 : 0;
      return 1;
    },
  };
  const flowzoneBatch: CallPool = {
    path: FLOWZONE_CHECK_BATCH,
    payloads: batches.map(encodeFlowzoneBatch),
    checksPerCall: BATCH_SIZE,
    decode: (response, out, base) => decodeFlowzoneBatch(response, out, base),
  };
  const flowzoneStream: StreamPool = {
    path: FLOWZONE_CHECK_STREAM,
    payloads: unaryPayloads,
    decode: decodeFlowzoneCheck,
  };
  const cerbosUnary: CallPool = {
    path: CERBOS_CHECK,
    payloads: cycle.map((r) => encodeCerbosCheck([r])),
    checksPerCall: 1,
    decode: (response, out, base, j) => decodeCerbosCheck(response, out, base, [ids[j] ?? ""]),
  };
  const cerbosBatch: CallPool = {
    path: CERBOS_CHECK,
    payloads: batches.map((b) => encodeCerbosCheck(b)),
    checksPerCall: BATCH_SIZE,
    decode: (response, out, base, j) => decodeCerbosCheck(response, out, base, batchIds[j] ?? []),
  };
  if (unaryPayloads.length !== CYCLE) throw new Error("pool size");
  return { flowzoneUnary, flowzoneBatch, flowzoneStream, cerbosUnary, cerbosBatch };
}
