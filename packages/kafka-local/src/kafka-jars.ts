import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";

import { missingBrokerClasses } from "./verify-jars";

/** The Maven project (beside `src/`) that names the broker's jars. */
const POM_PATH = path.join(__dirname, "..", "maven", "pom.xml");

/** Options for {@link ensureKafkaJars}. */
export interface KafkaJarsOptions {
  /** Folder that keeps the jars between runs (one sub-folder per pom digest); relative to the working directory. */
  readonly cacheDir: string;
  /** Called with one line of progress while Maven resolves; first downloads take a while. */
  readonly onProgress?: (line: string) => void;
  /** The Maven executable; default `mvn` on the PATH. */
  readonly maven?: string;
}

/**
 * Returns a folder holding every jar the broker needs, resolving them with Maven the first time.
 * The folder is keyed by the pom's digest, so changing the Kafka version downloads anew and a
 * second start reuses the first one's download. A half-finished download is never used: jars
 * land in a temporary folder that is renamed into place only once Maven succeeds and the broker's
 * main classes are found in it. A cached folder that lost them is resolved again.
 */
export async function ensureKafkaJars(options: KafkaJarsOptions): Promise<string> {
  const pom = await readFile(POM_PATH);
  const key = createHash("sha256").update(pom).digest("hex").slice(0, 12);
  // Maven resolves a relative outputDirectory against the pom's folder, not ours: make it absolute.
  const libsDir = path.resolve(options.cacheDir, `jars-${key}`);
  if (existsSync(path.join(libsDir, ".complete"))) {
    const missing = await missingBrokerClasses(libsDir);
    if (missing.length === 0) return libsDir;
    options.onProgress?.(`the cached Kafka jars in ${libsDir} lack ${missing.join(", ")}: resolving them again`);
    await rm(libsDir, { recursive: true, force: true });
  }

  const partialDir = `${libsDir}.partial-${process.pid}`;
  await rm(partialDir, { recursive: true, force: true });
  await mkdir(partialDir, { recursive: true });
  options.onProgress?.("resolving Apache Kafka jars with Maven (first run only)");
  await runMaven(options.maven ?? "mvn", ["-B", "-f", POM_PATH, "dependency:copy-dependencies", "-DincludeScope=runtime", `-DoutputDirectory=${partialDir}`], options.onProgress);
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
  options.onProgress?.(`Kafka jars ready in ${libsDir}`);
  return libsDir;
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
      else reject(new Error(`Maven failed (exit ${code}) resolving the Kafka jars:\n${(errors.length > 0 ? errors : tail).join("\n")}`));
    });
  });
}
