import { rmSync } from "node:fs";
import { dirname, join } from "node:path";

import { provisionLocalBroker, type LocalBroker } from "@flowzone/kafka-local";

import { onExit } from "./children";

/**
 * Starts the local Kafka broker for a benchmark (jars cached under `<repo>/.flowzone/kafka`) and
 * makes sure the JVM never outlives the benchmark: on Ctrl-C or a crash it is killed and its
 * folder removed. The caller still stops it with `stop()` on the normal path.
 */
export async function startBenchBroker(repoRoot: string, progress: (line: string) => void): Promise<LocalBroker> {
  progress("starting the local Kafka broker");
  const broker = await provisionLocalBroker({
    homeDir: join(repoRoot, ".flowzone", "kafka"),
    onProgress: (line) => {
      progress(`kafka-local: ${line}`);
    },
  });
  onExit(() => {
    try {
      process.kill(broker.pid, "SIGKILL");
    } catch {
      // already gone
    }
    rmSync(dirname(broker.logFile), { recursive: true, force: true });
  });
  progress(`broker ready at ${broker.brokers} (pid ${broker.pid})`);
  return broker;
}
