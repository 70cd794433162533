import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { BROKER_MAIN_CLASSES, missingBrokerClasses } from "./verify-jars";

/** Bytes shaped like a jar's central directory: entry names stored as plain text among other bytes. */
function fakeJar(entries: readonly string[]): Buffer {
  return Buffer.concat(entries.map((entry) => Buffer.concat([Buffer.from([0x50, 0x4b, 0x01, 0x02, 0, 0]), Buffer.from(entry)])));
}

describe("missingBrokerClasses", () => {
  it("names every main class when the folder does not exist", async () => {
    await expect(missingBrokerClasses(path.join(tmpdir(), "flowzone-no-such-folder"))).resolves.toEqual([...BROKER_MAIN_CLASSES]);
  });

  it("names every main class for an empty folder (the cache marked complete with nothing in it)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "flowzone-jars-"));
    await writeFile(path.join(dir, ".complete"), "abc\n");
    await expect(missingBrokerClasses(dir)).resolves.toEqual([...BROKER_MAIN_CLASSES]);
  });

  it("names the class no jar holds", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "flowzone-jars-"));
    await writeFile(path.join(dir, "kafka_2.13-3.9.1.jar"), fakeJar(["kafka/Kafka.class", "kafka/server/KafkaConfig.class"]));
    await expect(missingBrokerClasses(dir)).resolves.toEqual(["kafka.tools.StorageTool"]);
  });

  it("finds classes spread over several jars, and ignores files that are not jars", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "flowzone-jars-"));
    await writeFile(path.join(dir, "a.jar"), fakeJar(["kafka/Kafka.class"]));
    await writeFile(path.join(dir, "b.jar"), fakeJar(["kafka/tools/StorageTool.class"]));
    await writeFile(path.join(dir, "c.txt"), "kafka/Kafka.class");
    await expect(missingBrokerClasses(dir)).resolves.toEqual([]);
  });
});
