import type { Logger } from "@flowzone/logging";
import type { Kafka } from "kafkajs";

import { startBacklogConsumer, type BacklogConsumerOptions } from "./backlog-consumer";
import type { ControlPlaneService } from "./control-plane-service";
import { startTicks } from "./control-ticks";
import { liveControlKeys } from "./control-topic-keys";
import { startFlowConsumer, type FlowConsumerOptions } from "./flow-consumer";
import type { LeaderDuties } from "./leadership";
import type { OutboxPublisher } from "./outbox-publisher";

/** What {@link controlLeaderDuties} starts. */
export interface ControlLeaderDutiesOptions {
  readonly kafka: Kafka;
  readonly controlTopic: string;
  readonly outbox: OutboxPublisher;
  readonly service: ControlPlaneService;
  readonly backlog: BacklogConsumerOptions;
  readonly flows: FlowConsumerOptions;
  /** One pass of expiry, autoEnforce and pruning, and how often it runs. */
  readonly tick: () => Promise<void>;
  readonly tickMs: number;
  readonly logger: Logger;
}

/**
 * The control plane's work that must happen once per store, whatever the number of replicas: the
 * outbox publisher (first sending what an earlier leader committed but did not publish), a
 * republish of the current state that also tombstones control keys the store does not know (so
 * followers converge after any change of leader), the backlog and flow consumers and the ticks.
 * Stopped in the reverse order. Each is also safe should two replicas run it for a moment (a leader
 * that has not yet noticed it lost its lock): the outbox drains under a lease row, the consumers
 * store each batch under a row lock on their stored offsets, and every tick change runs under the
 * control lock and finds nothing left to do the second time.
 */
export function controlLeaderDuties(options: ControlLeaderDutiesOptions): LeaderDuties {
  const log = options.logger.child({ component: "control-plane" });
  const stops: (() => Promise<void>)[] = [];
  return {
    async start() {
      options.outbox.start();
      stops.push(() => options.outbox.stop());
      const leftover = await options.outbox.drain();
      if (leftover > 0) log.warn({ records: leftover }, "published records an earlier process had committed but not published");
      const { epoch, tombstoned } = await options.service.republish(await liveControlKeys(options.kafka, options.controlTopic));
      log.info({ epoch, controlTopic: options.controlTopic, tombstoned }, "current state republished to the control topic");
      const backlog = await startBacklogConsumer(options.backlog);
      stops.push(() => backlog.close());
      const flows = await startFlowConsumer(options.flows);
      stops.push(() => flows.close());
      const ticks = startTicks(options.tick, options.tickMs, options.logger);
      stops.push(() => ticks.stop());
    },
    async stop() {
      for (const stop of stops.splice(0).reverse()) {
        await stop().catch((error: unknown) => {
          log.warn({ err: error }, "a leader duty did not stop cleanly");
        });
      }
    },
  };
}
