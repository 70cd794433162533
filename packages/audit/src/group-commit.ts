/**
 * Group commit: many callers ask for their writes to reach the device, one flush serves them all.
 * At most one flush runs at a time; whoever asks while it runs waits for the next one, which
 * starts as soon as the running one ends and covers everything written meanwhile. So a busy
 * writer pays one fsync per round rather than one per record, and nobody waits longer than two
 * rounds.
 */
export class GroupCommit {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  /** `flush` must never reject: it reports its own failures. */
  constructor(private readonly flush: () => Promise<void>) {}

  /**
   * Resolves once a flush that started after this call has finished. Flushes run one after the
   * other, so the promises resolve in the order they were asked for.
   */
  request(): Promise<void> {
    if (this.running === undefined) return this.start();
    this.next ??= this.running.then(() => this.start());
    return this.next;
  }

  private start(): Promise<void> {
    this.next = undefined;
    const round: Promise<void> = this.flush().finally(() => {
      // With a round queued, stay "running" until it starts: a request meanwhile joins it.
      if (this.running === round && this.next === undefined) this.running = undefined;
    });
    this.running = round;
    return round;
  }
}
