/**
 * Decides which allowed decisions without violations are audited. The contract audits every
 * violation; clean allows are audited only when a sampling rate asks for it (default 0: none),
 * because auditing every allow would multiply audit volume by the request rate.
 */
export class AuditSampler {
  readonly rate: number;

  /** `rate` in 0..1; `random` returns [0, 1) and is injected by tests. */
  constructor(rate = 0, private readonly random: () => number = Math.random) {
    if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new RangeError(`audit sample rate must be between 0 and 1, got ${rate}`);
    this.rate = rate;
  }

  /** True for about `rate` of the calls; never for rate 0, always for rate 1. */
  shouldAudit(): boolean {
    if (this.rate === 0) return false;
    return this.rate === 1 || this.random() < this.rate;
  }
}
