/** Probing a replica: one unary Check over gRPC, decoded for its decision and policy version. */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import { CheckRequestSchema, CheckResponseSchema, Decision } from "@flowzone/proto";

import { connect, waitForReady } from "../common/load-generator";
import { PROBE_WRITE } from "./bundle";

const CHECK_PATH = "/flowzone.v1.DecisionService/Check";
const identity = (b: Buffer): Buffer => b;

export interface ProbeAnswer {
  readonly deny: boolean;
  /** `<bundle digest>@<control epoch>`. */
  readonly policyVersion: string;
  readonly epoch: number;
}

/** The control epoch a policy version carries, or NaN. */
export function epochOf(policyVersion: string): number {
  const at = policyVersion.lastIndexOf("@");
  return at < 0 ? NaN : Number(policyVersion.slice(at + 1));
}

export class Replica {
  private readonly request: Buffer;
  private constructor(
    readonly name: string,
    readonly address: string,
    private readonly client: grpc.Client,
  ) {
    const bytes = toBinary(CheckRequestSchema, create(CheckRequestSchema, { requestId: `probe-${name}`, ...PROBE_WRITE, labels: [...PROBE_WRITE.labels] }));
    this.request = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  static async connect(name: string, address: string): Promise<Replica> {
    const client = connect(address);
    await waitForReady(client, 10_000);
    return new Replica(name, address, client);
  }

  check(): Promise<ProbeAnswer> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(CHECK_PATH, identity, identity, this.request, { deadline: Date.now() + 5000 }, (error, reply) => {
        if (error !== null || reply === undefined) {
          reject(error ?? new Error(`${this.name}: empty reply`));
          return;
        }
        const response = fromBinary(CheckResponseSchema, reply);
        if (response.decision !== Decision.ALLOW && response.decision !== Decision.DENY) {
          reject(new Error(`${this.name}: decision ${response.decision} is neither ALLOW nor DENY`));
          return;
        }
        resolve({ deny: response.decision === Decision.DENY, policyVersion: response.policyVersion, epoch: epochOf(response.policyVersion) });
      });
    });
  }

  close(): void {
    this.client.close();
  }
}
