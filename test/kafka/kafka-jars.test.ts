/**
 * The jar cache of the local broker: a folder marked complete without the broker's classes (what
 * the relative-path bug left behind) is resolved again, a failed resolution says what Maven said,
 * and a Kafka version Maven Central does not have is an error naming it.
 */
import { chmod, mkdir, mkdtemp, readdir, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { ensureKafkaJars, parseKafkaVersion } from "../../packages/kafka-local/src/index";

describe("the local broker's jar cache", () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flowzone-jars-test-"));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("resolves again a cached folder that is marked complete but lacks the broker's classes", async () => {
    const cacheDir = path.join(dir, "kafka");
    // Learn the folder name (keyed by the pom's digest) from a first, real resolution.
    const libsDir = await ensureKafkaJars({ cacheDir });
    await rm(libsDir, { recursive: true });
    await mkdir(libsDir, { recursive: true });
    await writeFile(path.join(libsDir, ".complete"), "marked complete, holds nothing\n");

    const progress: string[] = [];
    expect(await ensureKafkaJars({ cacheDir, onProgress: (line) => progress.push(line) })).toBe(libsDir);
    expect(progress.join("\n")).toContain("lack kafka.tools.StorageTool, kafka.Kafka: resolving them again");
    expect((await readdir(libsDir)).filter((name) => name.startsWith("kafka_2.13-"))).toHaveLength(1);
  }, 180_000);

  it("resolves a relative cache folder against the working directory, not Maven's", async () => {
    const previous = process.cwd();
    process.chdir(dir);
    try {
      const libsDir = await ensureKafkaJars({ cacheDir: path.join(".flowzone", "kafka") });
      expect(libsDir.startsWith(path.join(await realpath(dir), ".flowzone", "kafka"))).toBe(true);
      expect((await readdir(libsDir)).some((name) => name.startsWith("kafka_2.13-"))).toBe(true);
    } finally {
      process.chdir(previous);
    }
  }, 180_000);

  it("says what Maven said when the resolution fails", async () => {
    // A stand-in for mvn that fails the way Maven does without a repository to reach.
    const mvn = path.join(dir, "mvn");
    await writeFile(mvn, '#!/bin/sh\necho "[INFO] Scanning for projects..."\necho "[ERROR] Failed to execute goal: Could not resolve dependencies for project dev.flowzone:kafka-local"\nexit 1\n');
    await chmod(mvn, 0o755);
    await expect(ensureKafkaJars({ cacheDir: path.join(dir, "kafka"), maven: mvn })).rejects.toThrow(
      /Maven failed \(exit 1\) resolving the Kafka jars:\n\[ERROR\] Failed to execute goal: Could not resolve dependencies/,
    );
  });

  it("names the Kafka version Maven cannot resolve, and leaves no folder behind", async () => {
    const cacheDir = path.join(dir, "kafka");
    const error = await ensureKafkaJars({ cacheDir, kafka: parseKafkaVersion("4.99.0") }).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(String(error)).toContain("Maven cannot resolve Apache Kafka 4.99.0 (FLOWZONE_KAFKA_VERSION) from its repositories: is it a released version?");
    expect(String(error)).toContain("org.apache.kafka:kafka_2.13:jar:4.99.0");
    expect(await readdir(cacheDir)).toEqual([]);
  }, 180_000);
});
