import type { ControlRejection } from "@flowzone/control-feed";

type ControlRejectReason = ControlRejection["reason"];

/** What a decision point says about the control records it refused: for health answers and the metric. */
export interface ControlRejectionSummary {
  /** Whether control records are verified at all (`FLOWZONE_CONTROL_VERIFY_KEYS` given). */
  readonly verified: boolean;
  readonly total: number;
  readonly byReason: Readonly<Partial<Record<ControlRejectReason, number>>>;
  /** The latest one, with when it was read. */
  readonly last: (ControlRejection & { readonly atMs: number }) | undefined;
}

/** Counts the control records a follower rejected, by reason, and keeps the latest; never forgets (a process-lifetime count, as a counter). */
export class ControlRejections {
  private total = 0;
  private readonly byReason: Partial<Record<ControlRejectReason, number>> = {};
  private last: (ControlRejection & { readonly atMs: number }) | undefined;

  constructor(
    private readonly verified: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  record(rejection: ControlRejection): void {
    this.total += 1;
    this.byReason[rejection.reason] = (this.byReason[rejection.reason] ?? 0) + 1;
    this.last = { ...rejection, atMs: this.now() };
  }

  summary(): ControlRejectionSummary {
    return { verified: this.verified, total: this.total, byReason: { ...this.byReason }, last: this.last };
  }
}
