/**
 * What a service has started, to stop in reverse order: a part is stopped only after every part
 * started after it (the enforcer before the broker it reads from). A part that fails to stop is
 * reported and the others still stop. A start that fails half way stops what it had started.
 */
export class StopList {
  private readonly stops: (() => Promise<void>)[] = [];

  constructor(private readonly onError: (error: unknown) => void = () => undefined) {}

  add(stop: () => Promise<void>): void {
    this.stops.push(stop);
  }

  /** Stops everything added so far, last added first; later calls stop only what was added since. */
  async stopAll(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) {
      await stop().catch(this.onError);
    }
  }

  /**
   * Runs `start` with this list; when it throws, stops whatever it had added and rethrows, so a
   * start that fails half way leaves nothing running.
   */
  async starting<T>(start: (stops: StopList) => Promise<T>): Promise<T> {
    try {
      return await start(this);
    } catch (error) {
      await this.stopAll();
      throw error;
    }
  }
}
