/**
 * The bytes of the response fields that recur from answer to answer, kept so that an answer
 * copies them rather than encoding them again: violations (the whole field of a CheckResponse)
 * and strings such as the policy version. Shared by the response encoders (wire-codec.ts) and
 * the batch answers written straight to the wire (batch-answers.ts).
 */
import { WireWriter, delimitedSize, stringFieldSize, varintFieldSize } from "@flowzone/proto";
import type { Violation } from "@flowzone/proto";

/** Bound on the recurring strings' bytes below: past it the cache starts over, so odd traffic cannot grow memory. */
const CACHE_LIMIT = 10_000;

/**
 * Encoded violations (the whole field of a CheckResponse: tag, length and message) by the frozen
 * message itself. The violations the decision service answers with (convert.ts) are frozen and
 * reused while they recur, so most responses copy a violation's bytes rather than encode its six
 * fields again. A message that is not frozen may change after it was answered: it is encoded
 * each time.
 */
const encodedViolations = new WeakMap<Violation, Buffer>();

export function violationField(violation: Violation): Buffer {
  let field = encodedViolations.get(violation);
  if (field === undefined) {
    field = encodeViolationField(violation);
    if (Object.isFrozen(violation)) encodedViolations.set(violation, field);
  }
  return field;
}

/** The fields of `violations`, one after another: a response's violations in wire format. */
export function violationFields(violations: readonly Violation[]): Buffer {
  return Buffer.concat(violations.map(violationField));
}

function encodeViolationField(violation: Violation): Buffer {
  let size =
    stringFieldSize(recurring(violation.zone).length) +
    stringFieldSize(recurring(violation.rule).length) +
    varintFieldSize(violation.mode) +
    varintFieldSize(violation.enforced ? 1 : 0) +
    stringFieldSize(recurring(violation.reason).length);
  for (const label of violation.labels) size += delimitedSize(recurring(label).length);
  const writer = new WireWriter(delimitedSize(size));
  writer.begin(5, size);
  writer.bytesField(1, recurring(violation.zone));
  writer.bytesField(2, recurring(violation.rule));
  writer.varintField(3, violation.mode);
  writer.varintField(4, violation.enforced ? 1 : 0);
  for (const label of violation.labels) writer.bytesField(5, recurring(label), true);
  writer.bytesField(6, recurring(violation.reason));
  return writer.finish();
}

/**
 * The UTF-8 bytes of a string that recurs from response to response: the policy version, zone
 * and rule names, labels, and reasons.
 */
const recurringBytes = new Map<string, Buffer>();

export function recurring(text: string): Buffer {
  let bytes = recurringBytes.get(text);
  if (bytes === undefined) {
    if (recurringBytes.size >= CACHE_LIMIT) recurringBytes.clear();
    bytes = Buffer.from(text, "utf8");
    recurringBytes.set(text, bytes);
  }
  return bytes;
}
