import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";

import { LOG4J_PROPERTIES, serverProperties } from "./broker-config";
import { freePort } from "./free-port";
import { javaProcess, runToCompletion, type JavaRuntime } from "./java-tool";

/** The line Kafka logs once the broker serves clients. */
const READY_LINE = "Kafka Server started";
const DEFAULT_START_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 15_000;

/** Options for {@link startLocalBroker}. */
export interface LocalBrokerOptions {
  /** Folder of the broker's jars, from `ensureKafkaJars`. */
  readonly libsDir: string;
  /** Folder for this broker's data and log (created; a fresh one per run). */
  readonly workDir: string;
  /** Fixed broker port; 0 or unset picks a free one. Restarting on the same folder needs the same ports. */
  readonly brokerPort?: number;
  /** Fixed controller port; 0 or unset picks a free one. */
  readonly controllerPort?: number;
  readonly heapMb?: number;
  readonly startTimeoutMs?: number;
  /**
   * Listener, TLS, SASL and authorizer settings over the plaintext defaults, and what storage
   * formatting adds (SCRAM users); `startSecuredBroker` gives them. Unset, a plaintext broker.
   */
  readonly security?: BrokerSecurity;
}

/** What makes a broker a secured one: server.properties lines and storage format arguments. */
export interface BrokerSecurity {
  readonly properties: (ports: { readonly brokerPort: number; readonly controllerPort: number }) => Readonly<Record<string, string>>;
  readonly formatArgs: readonly string[];
}

/** A running single-node broker. */
export interface LocalBroker {
  /** `host:port` for Kafka clients. */
  readonly brokers: string;
  readonly brokerPort: number;
  readonly controllerPort: number;
  readonly pid: number;
  /** The broker's own log (stdout and stderr). */
  readonly logFile: string;
  /** Stops the broker (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
  /** Kills the broker at once, as a crash would (for fault tests). */
  kill(): Promise<void>;
}

/**
 * Formats storage and starts a single-node KRaft broker on loopback, resolving once it logs that
 * it serves clients. The JVM's output goes to `<workDir>/broker.log`.
 */
export async function startLocalBroker(options: LocalBrokerOptions): Promise<LocalBroker> {
  const brokerPort = options.brokerPort !== undefined && options.brokerPort !== 0 ? options.brokerPort : await freePort();
  const controllerPort = options.controllerPort !== undefined && options.controllerPort !== 0 ? options.controllerPort : await freePort();
  const logDir = path.join(options.workDir, "data");
  await mkdir(logDir, { recursive: true });
  const propertiesFile = path.join(options.workDir, "server.properties");
  const log4jFile = path.join(options.workDir, "log4j.properties");
  await writeFile(propertiesFile, serverProperties({ brokerPort, controllerPort, logDir }, options.security?.properties({ brokerPort, controllerPort })));
  await writeFile(log4jFile, LOG4J_PROPERTIES);
  const logFile = path.join(options.workDir, "broker.log");

  const runtime: JavaRuntime = { libsDir: options.libsDir, log4jFile, heapMb: options.heapMb ?? 512 };
  const java = (mainClass: string, args: readonly string[]): ChildProcess => javaProcess(runtime, mainClass, args);

  // A restart on the same folder keeps its data: format only a fresh folder.
  if (!existsSync(path.join(logDir, "meta.properties"))) {
    await runToCompletion(java("kafka.tools.StorageTool", ["format", "-t", clusterId(), "-c", propertiesFile, "--ignore-formatted", ...(options.security?.formatArgs ?? [])]), "formatting the broker's storage");
  }

  const child = java("kafka.Kafka", [propertiesFile]);
  // Out of the terminal's process group, the broker would outlive a process that ends without
  // stopping it (an uncaught error, process.exit): kill it then. Only SIGKILL escapes this.
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  const log = createWriteStream(logFile);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      process.removeListener("exit", killOnExit);
      resolve();
    }),
  );
  await waitForReady(child, log, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS, logFile);

  const pid = child.pid ?? 0;
  return {
    brokers: `127.0.0.1:${brokerPort}`,
    brokerPort,
    controllerPort,
    pid,
    logFile,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/**
 * A KRaft cluster id: 16 random bytes, base64url without padding (22 characters). One that
 * starts with "-" would be read as an option by the storage tool, so those are drawn again.
 */
function clusterId(): string {
  for (;;) {
    const id = Buffer.from(randomUUID().replaceAll("-", ""), "hex").toString("base64url");
    if (!id.startsWith("-")) return id;
  }
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
