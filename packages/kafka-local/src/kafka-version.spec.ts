import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { DEFAULT_KAFKA_VERSION, kafkaVersionOf, parseKafkaVersion } from "./kafka-version";

describe("parseKafkaVersion", () => {
  it("defaults to the current Kafka when unset or empty", () => {
    expect(parseKafkaVersion(undefined)).toEqual({ version: DEFAULT_KAFKA_VERSION, major: 4 });
    expect(parseKafkaVersion("")).toEqual({ version: DEFAULT_KAFKA_VERSION, major: 4 });
  });

  it("takes a 3.x or 4.x release", () => {
    expect(parseKafkaVersion("3.9.1")).toEqual({ version: "3.9.1", major: 3 });
    expect(parseKafkaVersion("4.0.0")).toEqual({ version: "4.0.0", major: 4 });
  });

  it("refuses what is not major.minor.patch, naming the value", () => {
    expect(() => parseKafkaVersion("4.4")).toThrow('FLOWZONE_KAFKA_VERSION="4.4" is not a Kafka version: expected major.minor.patch');
    expect(() => parseKafkaVersion("latest")).toThrow('FLOWZONE_KAFKA_VERSION="latest" is not a Kafka version');
  });

  it("refuses a line kafka-local cannot run, naming the value", () => {
    expect(() => parseKafkaVersion("2.8.2")).toThrow('FLOWZONE_KAFKA_VERSION="2.8.2": kafka-local runs Kafka 3.x or 4.x only');
  });
});

describe("kafkaVersionOf", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flowzone-kafka-version-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads the version from the folder's kafka_2.13 jar, not from kafka-clients", async () => {
    await writeFile(path.join(dir, "kafka-clients-3.9.1.jar"), "");
    await writeFile(path.join(dir, "kafka_2.13-3.9.1.jar"), "");
    await expect(kafkaVersionOf(dir)).resolves.toEqual({ version: "3.9.1", major: 3 });
  });

  it("says so for a folder without the broker's jar", async () => {
    await writeFile(path.join(dir, "kafka-clients-4.4.0.jar"), "");
    await expect(kafkaVersionOf(dir)).rejects.toThrow(`${dir} holds no kafka_2.13-<version>.jar`);
  });
});
