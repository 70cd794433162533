import { backoffDelayMs, type ExponentialBackoff } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";

import type { LeaderLock } from "./leader-lock";

/** What the leader alone does: started on gaining leadership, stopped on losing it. */
export interface LeaderDuties {
  /** Starts every duty; when it rejects, whatever it started is stopped by {@link stop}. */
  start(): Promise<void>;
  /** Stops every duty started; safe to call when some never started. */
  stop(): Promise<void>;
}

/** Options for {@link Leadership}. */
export interface LeadershipOptions {
  readonly lock: LeaderLock;
  readonly duties: LeaderDuties;
  /** This replica's name, in every log line about leadership. */
  readonly replicaId: string;
  /** How often a follower tries the lock and the leader checks it still holds it. */
  readonly pollMs: number;
  readonly logger: Logger;
}

/**
 * One replica's leadership of the store: a follower tries the lock every `pollMs`; the leader
 * checks as often that it still holds it, and the moment it cannot show it does (its session is
 * gone, or does not answer) it counts as a follower and stops its duties, since another replica may
 * already have taken the lock. Duties that fail to start give the lock up, so another replica may
 * try, and this one tries again after a backoff.
 */
export class Leadership {
  private readonly log: Logger;
  private leading = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: LeadershipOptions) {
    this.log = options.logger.child({ component: "leadership", replica: options.replicaId });
  }

  /** Whether this replica leads now (health, metrics). */
  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Takes the lock when it is free and starts the duties, then keeps polling. Rejects when the
   * duties fail to start on this first try, so a start that cannot work fails as it always did.
   */
  async start(): Promise<void> {
    if (await this.acquire()) await this.lead(true);
    else this.log.info({ replica: this.options.replicaId }, `replica ${this.options.replicaId} follows: another replica leads this store`);
    this.schedule(this.options.pollMs);
  }

  /** One poll: a follower tries the lock, the leader checks it. Exposed for the unit spec. */
  poll(): Promise<void> {
    const run = this.polling.then(() => (this.leading ? this.check() : this.tryToLead()));
    this.polling = run;
    return run;
  }

  /** Stops polling and the duties, and gives the lock up. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
    if (this.leading) {
      this.leading = false;
      await this.options.duties.stop();
      this.log.info({ replica: this.options.replicaId }, `replica ${this.options.replicaId} stepped down: stopping`);
    }
    await this.options.lock.release().catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.poll().finally(() => {
        this.schedule(this.failures === 0 ? this.options.pollMs : backoffDelayMs(this.backoff(), this.failures));
      });
    }, delayMs);
    this.timer.unref();
  }

  private async tryToLead(): Promise<void> {
    if (!this.stopped && (await this.acquire())) await this.lead(false);
  }

  /** Tries the lock; an unreachable lock counts as held by someone else, and backs the polling off. */
  private async acquire(): Promise<boolean> {
    try {
      const acquired = await this.options.lock.tryAcquire();
      if (!acquired) this.failures = 0;
      return acquired;
    } catch (error) {
      this.lockError(error);
      return false;
    }
  }

  private async lead(first: boolean): Promise<void> {
    this.leading = true;
    this.log.info({ replica: this.options.replicaId }, `replica ${this.options.replicaId} is the leader: starting its leader duties`);
    try {
      await this.options.duties.start();
      this.failures = 0;
    } catch (error) {
      this.leading = false;
      this.failures += 1;
      await this.options.duties.stop().catch(() => undefined);
      await this.options.lock.release().catch(() => undefined);
      this.log.error({ err: error, replica: this.options.replicaId, failures: this.failures }, `replica ${this.options.replicaId} could not start its leader duties: it gave the leadership up`);
      if (first) throw error;
    }
  }

  private async check(): Promise<void> {
    let held = false;
    try {
      held = await this.options.lock.stillHeld();
    } catch (error) {
      this.lockError(error);
    }
    if (held || !this.leading) return;
    this.leading = false;
    this.log.error({ replica: this.options.replicaId }, `replica ${this.options.replicaId} lost the leadership (it can no longer show it holds the lock): stopping its leader duties`);
    await this.options.duties.stop().catch((error: unknown) => {
      this.log.warn({ err: error }, "a leader duty did not stop cleanly");
    });
    await this.options.lock.release().catch(() => undefined);
  }

  private lockError(error: unknown): void {
    this.failures += 1;
    this.log.warn({ err: error, replica: this.options.replicaId, failures: this.failures }, "the leader lock cannot be reached; this replica does not lead meanwhile");
  }

  /** After failures: doubling from one poll interval to ten, so a store that returns is led again within seconds. */
  private backoff(): ExponentialBackoff {
    return { initialMs: this.options.pollMs, maxMs: 10 * this.options.pollMs, multiplier: 2, jitter: 0.2 };
  }
}
