/**
 * CheckBatch's answers, written straight to protobuf wire format as each request is decided:
 * the batch path builds no CheckResponse, no decision id string and no response list per
 * request, and the response is not sized in a second pass. A profile of the decision service
 * under CheckBatch had those at about half of its own work per check. The bytes are what
 * `toBinary` writes for the same CheckBatchResponse (batch-answers.spec.ts compares them).
 */
import { fromBinary } from "@bufbuild/protobuf";
import { CheckBatchResponseSchema, Slab, WireWriter, delimitedSize, stringFieldSize, utf8Length, varintFieldSize } from "@flowzone/proto";
import type { CheckBatchResponse, CheckResponse, Decision } from "@flowzone/proto";
import type { DecisionIds } from "./decision-ids";
import { recurring } from "./encoded-fields";

/**
 * A CheckBatchResponse already in wire format. The decision service's encoder sends its bytes
 * as they are; `responses` reads them back, for whatever looks at the message itself.
 */
export class WrittenBatchResponse implements CheckBatchResponse {
  readonly $typeName = "flowzone.v1.CheckBatchResponse";

  constructor(readonly bytes: Buffer) {}

  get responses(): CheckResponse[] {
    return fromBinary(CheckBatchResponseSchema, this.bytes).responses;
  }
}

/** Room the scratch buffer starts with; it doubles when a batch needs more. */
const SCRATCH_BYTES = 64 * 1024;
/** Past this the scratch buffer goes back to its first size after a batch, so a rare huge batch does not hold memory. */
const SCRATCH_KEPT = 1024 * 1024;

/**
 * Writes one batch's answers at a time: {@link begin}, an {@link add} per request in order,
 * {@link finish}. Answers gather in a scratch buffer the writer keeps, so one writer serves the
 * batches one after another (each is written start to end without a pause); the finished
 * response is copied out of it.
 */
export class BatchAnswers {
  private scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  private writer = new WireWriter(this.scratch, 0);
  /** Where finished responses are cut from: grpc-js copies them into its frames. */
  private readonly slab = new Slab();
  /** The policy version last answered with, and its UTF-8. */
  private version = "";
  private versionUtf8: Buffer = Buffer.alloc(0);

  constructor(private readonly ids: DecisionIds) {}

  /** Starts a batch, dropping whatever an unfinished one wrote. */
  begin(): void {
    if (this.scratch.length > SCRATCH_KEPT) this.scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
    this.writer = new WireWriter(this.scratch, 0);
  }

  /**
   * Writes the answer to one request: the fields of a CheckResponse, as the batch's next element.
   * `violationFields` are its violations already in wire format (convert.ts `violationFieldsOf`).
   */
  add(requestId: string, decision: Decision, decisionSerial: number, policyVersion: string, violationFields: Uint8Array): void {
    const requestIdBytes = utf8Length(requestId);
    const decisionIdBytes = this.ids.byteLength(decisionSerial);
    const version = this.versionBytes(policyVersion);
    const size = stringFieldSize(requestIdBytes) + varintFieldSize(decision) + stringFieldSize(decisionIdBytes) + stringFieldSize(version.length) + violationFields.length;
    this.reserve(delimitedSize(size));
    const writer = this.writer;
    writer.begin(1, size);
    writer.stringField(1, requestId, requestIdBytes);
    writer.varintField(2, decision);
    // The id is never empty: its prefix is followed by a dash.
    writer.begin(3, decisionIdBytes);
    this.ids.write(decisionSerial, this.scratch, writer.position);
    writer.skip(decisionIdBytes);
    writer.bytesField(4, version);
    writer.raw(violationFields);
  }

  /** The batch written since {@link begin}. */
  finish(): WrittenBatchResponse {
    const length = this.writer.position;
    const bytes = this.slab.take(length);
    this.scratch.copy(bytes, 0, 0, length);
    return new WrittenBatchResponse(bytes);
  }

  /** The UTF-8 of `policyVersion`: the same from answer to answer until the policy changes. */
  private versionBytes(policyVersion: string): Buffer {
    if (policyVersion !== this.version) {
      this.version = policyVersion;
      this.versionUtf8 = recurring(policyVersion);
    }
    return this.versionUtf8;
  }

  /** Makes room for `bytes` more. */
  private reserve(bytes: number): void {
    const at = this.writer.position;
    if (at + bytes <= this.scratch.length) return;
    let room = this.scratch.length * 2;
    while (room < at + bytes) room *= 2;
    const larger = Buffer.allocUnsafeSlow(room);
    this.scratch.copy(larger, 0, 0, at);
    this.scratch = larger;
    this.writer = new WireWriter(larger, at);
  }
}
