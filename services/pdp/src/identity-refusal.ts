import { encodeIdentityMismatch, type AuditWriter } from "@flowzone/audit";
import { quoteStart } from "@flowzone/engine";
import { FlowzoneError } from "@flowzone/errors";
import type { CheckRequest } from "@flowzone/proto";

import type { Caller } from "./caller-authenticator";
import type { RequestScope } from "./request-error";

const CREDENTIAL_WORDS: Readonly<Record<Caller["credential"], string>> = { client_certificate: "its client certificate", bearer_token: "its bearer token" };

/**
 * PERMISSION_DENIED for a request whose producer its caller may not speak for, naming both; in
 * a batch the sentence starts with the request's place (`requests[3].producer`), in a stream with
 * its `request_id`, as INVALID_ARGUMENT does. The `ErrorInfo` metadata carries both names so a
 * client need not parse the sentence.
 */
export function producerMismatch(caller: Caller, producer: string, scope: RequestScope): FlowzoneError {
  const where = scope.index !== undefined ? `requests[${scope.index}].producer: ` : scope.requestId !== undefined ? `request_id "${quoteStart(scope.requestId)}": ` : "";
  return new FlowzoneError(
    "permission_denied",
    `${where}caller ${caller.identity} (authenticated by ${CREDENTIAL_WORDS[caller.credential]}) may not speak for producer "${quoteStart(producer)}"; it speaks for itself and for the producers its speaksFor patterns in the identities file cover`,
    {
      metadata: {
        identity: caller.identity,
        producer: quoteStart(producer),
        ...(scope.index === undefined ? {} : { index: String(scope.index) }),
        ...(scope.requestId === undefined ? {} : { requestId: quoteStart(scope.requestId) }),
      },
    },
  );
}

/** What an identity_mismatch record needs besides the caller and the request. */
export interface MismatchContext {
  readonly id: string;
  readonly method: "Check" | "CheckBatch" | "CheckStream";
  readonly policyVersion: string;
  readonly traceId: string;
  /** The bundle's bound on names: a claimed producer or sink is kept in the record up to it. */
  readonly maxFieldBytes: number;
}

/**
 * Offers one identity_mismatch record per refused request to the audit trail and returns the
 * promise to await before refusing (the records on disk), or undefined when there is nothing to
 * wait for (no audit trail, or a trail that cannot take them, whose writer counts that). The
 * refusal itself never depends on the record: refusing is already the safe answer. The refusal
 * comes before any other check of the request, so its names are clipped to `maxFieldBytes`.
 */
export function auditMismatches(audit: Pick<AuditWriter, "offer"> | undefined, caller: Caller, requests: readonly CheckRequest[], context: MismatchContext): Promise<void> | undefined {
  if (audit === undefined || requests.length === 0) return undefined;
  const timeMs = Date.now();
  const records = requests.map((request, index) =>
    encodeIdentityMismatch({
      id: requests.length === 1 ? context.id : `${context.id}/${index}`,
      authenticatedIdentity: caller.identity,
      credential: caller.credential,
      producer: clip(request.producer, context.maxFieldBytes),
      sink: clip(request.sink, context.maxFieldBytes),
      requestId: clip(request.requestId, context.maxFieldBytes),
      method: context.method,
      policyVersion: context.policyVersion,
      traceId: context.traceId,
      timeMs,
    }),
  );
  const offered = audit.offer(records);
  return offered.accepted ? offered.durable : undefined;
}

/** `text` cut to at most `maxBytes` UTF-8 bytes (and marked with "…" when cut). */
function clip(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  return `${Buffer.from(text, "utf8").subarray(0, maxBytes).toString("utf8")}…`;
}
