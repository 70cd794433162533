import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

import { writeBrokerLogging } from "./broker-logging";
import { kafkaVersionOf, type KafkaVersion } from "./kafka-version";

/** How a Kafka class runs: the jars, the JVM flag naming its logging configuration, and the heap. */
export interface JavaRuntime {
  readonly libsDir: string;
  readonly loggingFlag: string;
  readonly heapMb: number;
}

/**
 * The runtime for Kafka classes on the jars in `libsDir`, with the logging configuration their
 * Kafka line reads written into `dir`; and which Kafka that is.
 */
export async function kafkaRuntime(libsDir: string, dir: string, heapMb: number): Promise<{ readonly runtime: JavaRuntime; readonly kafka: KafkaVersion }> {
  const kafka = await kafkaVersionOf(libsDir);
  return { runtime: { libsDir, loggingFlag: await writeBrokerLogging(dir, kafka), heapMb }, kafka };
}

/**
 * Starts `mainClass args…` on Kafka's jars. The JVM gets a process group of its own: a Ctrl-C at
 * the terminal reaches every process of the foreground group, and the broker must outlive the
 * services that drain into it while they stop.
 */
export function javaProcess(runtime: JavaRuntime, mainClass: string, args: readonly string[]): ChildProcess {
  return spawn(
    "java",
    [`-Xms256m`, `-Xmx${runtime.heapMb}m`, runtime.loggingFlag, "-cp", path.join(runtime.libsDir, "*"), mainClass, ...args],
    { stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
}

/** Resolves when `child` exits 0; rejects with its output otherwise. */
export function runToCompletion(child: ChildProcess, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const output: string[] = [];
    child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.on("error", (error) => {
      reject(new Error(`cannot run java for ${what}: ${error.message}`));
    });
    child.on("exit", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${what} failed (exit ${code}):\n${output.join("")}`));
    });
  });
}
