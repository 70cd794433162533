import type { ChildProcess } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";

import { serverProperties } from "./broker-config";
import { javaProcess, kafkaRuntime, runToCompletion } from "./java-tool";

/** The line Kafka logs once the node serves clients (its broker registered and unfenced). */
const READY_LINE = "Kafka Server started";
const DEFAULT_START_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 15_000;

/** What makes a broker a secured one: server.properties lines and storage format arguments. */
export interface BrokerSecurity {
  readonly properties: (ports: { readonly brokerPort: number; readonly controllerPort: number }) => Readonly<Record<string, string>>;
  readonly formatArgs: readonly string[];
}

/** One KRaft node to start: where it lives, its ports and the quorum it belongs to. */
export interface KafkaNodeOptions {
  /** Folder of the node's jars, from `ensureKafkaJars`. */
  readonly libsDir: string;
  /** Folder for this node's configuration, data and log (created; kept across restarts). */
  readonly workDir: string;
  readonly nodeId: number;
  readonly brokerPort: number;
  readonly controllerPort: number;
  /** `controller.quorum.voters` of the whole cluster. */
  readonly voters: string;
  readonly clusterSize: number;
  /** The KRaft cluster id every node of the cluster formats its storage with. */
  readonly clusterId: string;
  readonly heapMb?: number;
  readonly startTimeoutMs?: number;
  readonly security?: BrokerSecurity;
}

/** A running node process. */
export interface KafkaNodeProcess {
  readonly pid: number;
  /** The node's own log (stdout and stderr). */
  readonly logFile: string;
  /** Whether the process is still alive. */
  readonly running: boolean;
  /** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash would; resolves when the process is gone. */
  kill(): Promise<void>;
}

/**
 * Formats the node's storage if it is fresh, starts the node and resolves once it logs that it
 * serves clients. The JVM's output goes to `<workDir>/broker.log` (appended to across restarts).
 * A restart on the same folder and ports keeps its data.
 */
export async function startKafkaNode(options: KafkaNodeOptions): Promise<KafkaNodeProcess> {
  const logDir = path.join(options.workDir, "data");
  await mkdir(logDir, { recursive: true });
  const propertiesFile = path.join(options.workDir, "server.properties");
  const { brokerPort, controllerPort } = options;
  const layout = { nodeId: options.nodeId, brokerPort, controllerPort, logDir, voters: options.voters, clusterSize: options.clusterSize };
  await writeFile(propertiesFile, serverProperties(layout, options.security?.properties({ brokerPort, controllerPort })));
  const { runtime } = await kafkaRuntime(options.libsDir, options.workDir, options.heapMb ?? 512);
  const logFile = path.join(options.workDir, "broker.log");

  if (!existsSync(path.join(logDir, "meta.properties"))) {
    const format = ["format", "-t", options.clusterId, "-c", propertiesFile, "--ignore-formatted", ...(options.security?.formatArgs ?? [])];
    await runToCompletion(javaProcess(runtime, "kafka.tools.StorageTool", format), "formatting the broker's storage");
  }

  const child = javaProcess(runtime, "kafka.Kafka", [propertiesFile]);
  // Out of the terminal's process group, the node would outlive a process that ends without
  // stopping it (an uncaught error, process.exit): kill it then. Only SIGKILL escapes this.
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  const log = createWriteStream(logFile, { flags: "a" });
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      process.removeListener("exit", killOnExit);
      resolve();
    }),
  );
  await waitForReady(child, log, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS, logFile);

  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid ?? 0,
    logFile,
    get running() {
      return alive();
    },
    async stop() {
      if (!alive()) return exited;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (!alive()) return exited;
      child.kill("SIGKILL");
      await exited;
    },
  };
}

function waitForReady(child: ChildProcess, log: NodeJS.WritableStream, timeoutMs: number, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (child.stdout === null) {
      reject(new Error("the broker process has no stdout"));
      return;
    }
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the local Kafka broker did not start within ${timeoutMs} ms; see ${logFile}`));
    }, timeoutMs);
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`the local Kafka broker exited during start-up (exit ${code}); see ${logFile}`));
    };
    child.once("exit", onExit);
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      log.write(`${line}\n`);
      if (line.includes(READY_LINE)) {
        clearTimeout(timer);
        child.off("exit", onExit);
        resolve();
      }
    });
  });
}
