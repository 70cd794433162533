import type { Logger } from "@flowzone/logging";
import { StopList, type RunningService } from "@flowzone/service-kit";

import { kafkaFor } from "./dev/kafka-for";
import type { ExitCode, CliIo } from "./io";
import { serve } from "./serve";

/**
 * {@link serve} for a service that needs Kafka: the given brokers, or a local broker started
 * under `home` (stopped after the service). Progress of the broker's start goes to stderr.
 */
export function serveOnKafka(
  command: string,
  io: CliIo,
  logger: Logger,
  kafka: { readonly brokers: readonly string[] | undefined; readonly home: string },
  start: (brokers: readonly string[]) => Promise<RunningService>,
): Promise<ExitCode> {
  return serve(command, io, (line) => { logger.info(line); }, () => {
    const stops = new StopList((error) => {
      logger.warn({ err: error }, "a part did not stop cleanly");
    });
    return stops.starting(async () => {
      const brokers = await kafkaFor(stops, kafka.brokers, kafka.home, (line) => io.stderr.write(`flowzone ${command}: ${line}\n`), logger);
      const service = await start(brokers);
      stops.add(() => service.stop());
      return { failed: service.failed, stop: () => stops.stopAll() };
    });
  });
}
