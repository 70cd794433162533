import type { Producer } from "kafkajs";

/**
 * The brokers that answered a producer's Produce requests while a window was open, read from
 * kafkajs's instrumentation (its REQUEST event fires when a request's response arrives, before
 * the send waiting for it resumes). A transaction's send that spans several brokers needs it:
 * kafkajs gives no other sign that it retried part of a send, and a retry while another broker's
 * request was in flight can write that broker's records twice ({@link PartitionedSender}).
 */
export class ProduceRequests {
  private readonly windows = new Set<string[]>();

  constructor(producer: Pick<Producer, "on" | "events">) {
    producer.on(producer.events.REQUEST, ({ payload }) => {
      if (this.windows.size === 0 || payload.apiName !== "Produce") return;
      for (const window of this.windows) window.push(payload.broker);
    });
  }

  /** Starts a window; the function returned ends it and gives the brokers whose Produce answers arrived meanwhile. */
  watch(): () => readonly string[] {
    const window: string[] = [];
    this.windows.add(window);
    return () => {
      this.windows.delete(window);
      return window;
    };
  }
}
