/**
 * What a command has started, to stop in reverse order: a part is stopped only after every
 * part started after it (the enforcer before the broker it reads from). A part that fails to
 * stop is reported and the others still stop.
 */
export class StopList {
  private readonly stops: (() => Promise<void>)[] = [];

  constructor(private readonly onError: (error: unknown) => void = () => undefined) {}

  add(stop: () => Promise<void>): void {
    this.stops.push(stop);
  }

  async stopAll(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) {
      await stop().catch(this.onError);
    }
  }
}
