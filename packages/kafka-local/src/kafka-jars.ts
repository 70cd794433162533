import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";

import { configuredKafkaVersion, KAFKA_VERSION_SETTING, type KafkaVersion } from "./kafka-version";
import { missingBrokerClasses } from "./verify-jars";

/** The Maven project (beside `src/`) that names the broker's jars. */
const POM_PATH = path.join(__dirname, "..", "maven", "pom.xml");

/** Options for {@link ensureKafkaJars}. */
export interface KafkaJarsOptions {
  /** Folder that keeps the jars between runs (one sub-folder per Kafka version and pom digest); relative to the working directory. */
  readonly cacheDir: string;
  /** Which Kafka; default the one FLOWZONE_KAFKA_VERSION names (`configuredKafkaVersion`). */
  readonly kafka?: KafkaVersion;
  /** Called with one line of progress while Maven resolves; first downloads take a while. */
  readonly onProgress?: (line: string) => void;
  /** The Maven executable; default `mvn` on the PATH. */
  readonly maven?: string;
}

/**
 * Returns a folder holding every jar the broker needs, resolving them with Maven the first time.
 * The folder is named by the Kafka version and keyed by the pom's digest, so each version has its
 * own (3.9 and 4.x side by side), changing the pom downloads anew, and a second start reuses the
 * first one's download. A half-finished download is never used: jars
 * land in a temporary folder that is renamed into place only once Maven succeeds and the broker's
 * main classes are found in it. A cached folder that lost them is resolved again.
 */
export async function ensureKafkaJars(options: KafkaJarsOptions): Promise<string> {
  const kafka = options.kafka ?? configuredKafkaVersion();
  const pom = await readFile(POM_PATH);
  const key = createHash("sha256").update(pom).digest("hex").slice(0, 12);
  // Maven resolves a relative outputDirectory against the pom's folder, not ours: make it absolute.
  const libsDir = path.resolve(options.cacheDir, `jars-${kafka.version}-${key}`);
  if (existsSync(path.join(libsDir, ".complete"))) {
    const missing = await missingBrokerClasses(libsDir);
    if (missing.length === 0) return libsDir;
    options.onProgress?.(`the cached Kafka jars in ${libsDir} lack ${missing.join(", ")}: resolving them again`);
    await rm(libsDir, { recursive: true, force: true });
  }

  const partialDir = `${libsDir}.partial-${process.pid}`;
  await rm(partialDir, { recursive: true, force: true });
  await mkdir(partialDir, { recursive: true });
  options.onProgress?.(`resolving Apache Kafka ${kafka.version} jars with Maven (first run only)`);
  const properties = [`-Dkafka.version=${kafka.version}`, `-Dkafka.major=${kafka.major}`, `-DoutputDirectory=${partialDir}`];
  try {
    await runMaven(options.maven ?? "mvn", ["-B", "-f", POM_PATH, "dependency:copy-dependencies", "-DincludeScope=runtime", ...properties], options.onProgress);
  } catch (error) {
    await rm(partialDir, { recursive: true, force: true });
    if (error instanceof MavenFailure && error.errorLines.some((line) => isNotFound(line, kafka))) {
      throw new Error(`Maven cannot resolve Apache Kafka ${kafka.version} (${KAFKA_VERSION_SETTING}) from its repositories: is it a released version?\n${error.message}`);
    }
    throw error;
  }
  const missing = await missingBrokerClasses(partialDir);
  if (missing.length > 0) {
    await rm(partialDir, { recursive: true, force: true });
    throw new Error(`Maven succeeded but no jar it resolved holds ${missing.join(", ")}; check ${POM_PATH}`);
  }
  await writeFile(path.join(partialDir, ".complete"), `${key}\n`);
  if (existsSync(path.join(libsDir, ".complete"))) {
    // Another process finished first; its folder may already be in use by a running broker.
    await rm(partialDir, { recursive: true, force: true });
    return libsDir;
  }
  await rm(libsDir, { recursive: true, force: true });
  await rename(partialDir, libsDir);
  options.onProgress?.(`Kafka ${kafka.version} jars ready in ${libsDir}`);
  return libsDir;
}

/** Maven's exit with an error, and its `[ERROR]` lines. */
class MavenFailure extends Error {
  constructor(
    message: string,
    readonly errorLines: readonly string[],
  ) {
    super(message);
  }
}

/**
 * Whether Maven's error line says the repository has no such Kafka: "Could not find artifact", or
 * "was not found … during a previous attempt" once Maven has cached that answer. (A repository
 * that cannot be reached says "Could not transfer artifact" instead: not the version's fault.)
 */
function isNotFound(line: string, kafka: KafkaVersion): boolean {
  return line.includes(`org.apache.kafka:kafka_2.13:jar:${kafka.version}`) && /Could not find artifact|was not found in|Failure to find/.test(line);
}

function runMaven(maven: string, args: readonly string[], onProgress: ((line: string) => void) | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(maven, args, { stdio: ["ignore", "pipe", "pipe"] });
    const tail: string[] = [];
    const errors: string[] = [];
    let downloaded = 0;
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (line.startsWith("[ERROR]") && errors.length < 20) errors.push(line);
      const match = /^Downloaded from \S+: \S+\/([^/]+) \(/.exec(line);
      if (match?.[1] !== undefined) {
        downloaded += 1;
        onProgress?.(`downloaded ${downloaded} files (${match[1]})`);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => tail.push(chunk.toString()));
    child.on("error", (error) => {
      reject(new Error(`cannot run Maven ('${maven}'), which provisions the local Kafka broker: ${error.message}`));
    });
    child.on("exit", (code) => {
      if (code === 0) resolve();
      // Maven's [ERROR] lines say what went wrong; without them its last lines are the best clue.
      else reject(new MavenFailure(`Maven failed (exit ${code}) resolving the Kafka jars:\n${(errors.length > 0 ? errors : tail).join("\n")}`, errors));
    });
  });
}
