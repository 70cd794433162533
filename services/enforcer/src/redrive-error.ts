/** Why a re-drive could not run or finish. */
export type RedriveErrorReason = "observe_only" | "fenced";

/**
 * A re-drive refused (`observe_only`: the route has no `to`, so nothing is quarantined) or cut
 * short (`fenced`: a newer re-drive of the same route took its transactional id over).
 */
export class RedriveError extends Error {
  override readonly name = "RedriveError";

  constructor(
    readonly reason: RedriveErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Whether Kafka refused a transaction because a newer producer with the same transactional id fenced it. */
  static isFencing(error: unknown): boolean {
    for (let e: unknown = error, depth = 0; typeof e === "object" && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
      const type = (e as { type?: unknown }).type;
      if (type === "INVALID_PRODUCER_EPOCH" || type === "PRODUCER_FENCED") return true;
    }
    return false;
  }
}
