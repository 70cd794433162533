import { readdir } from "node:fs/promises";

/** The environment variable that picks the Kafka version of every broker kafka-local starts. */
export const KAFKA_VERSION_SETTING = "FLOWZONE_KAFKA_VERSION";

/**
 * The Kafka that kafka-local runs unless {@link KAFKA_VERSION_SETTING} says otherwise: the current
 * line. CI runs the suite a second time on 3.9 (.ci/run), the line before 4.0 dropped ZooKeeper and
 * old client protocol versions (KIP-896), so both stay supported.
 */
export const DEFAULT_KAFKA_VERSION = "4.4.0";

/** The Kafka lines kafka-local knows how to run (they log and keep their tools differently). */
export const SUPPORTED_MAJORS = [3, 4] as const;

/** A Kafka version kafka-local can provision: `major.minor.patch` of a supported line. */
export interface KafkaVersion {
  readonly version: string;
  readonly major: (typeof SUPPORTED_MAJORS)[number];
}

/**
 * The Kafka version `value` names (default: {@link DEFAULT_KAFKA_VERSION} when unset or empty).
 * Throws, naming the value, for anything but `major.minor.patch` of a supported line; whether
 * Maven Central has that version is only known when the jars are resolved.
 */
export function parseKafkaVersion(value: string | undefined): KafkaVersion {
  const version = value === undefined || value === "" ? DEFAULT_KAFKA_VERSION : value;
  const match = /^(\d+)\.\d+\.\d+$/.exec(version);
  if (match === null) throw new Error(`${KAFKA_VERSION_SETTING}="${version}" is not a Kafka version: expected major.minor.patch, e.g. ${DEFAULT_KAFKA_VERSION} or 3.9.1`);
  const major = Number(match[1]);
  const supported = SUPPORTED_MAJORS.find((known) => known === major);
  if (supported === undefined) throw new Error(`${KAFKA_VERSION_SETTING}="${version}": kafka-local runs Kafka ${SUPPORTED_MAJORS.join(".x or ")}.x only`);
  return { version, major: supported };
}

/** The version {@link KAFKA_VERSION_SETTING} picks in this process. */
export function configuredKafkaVersion(): KafkaVersion {
  return parseKafkaVersion(process.env.FLOWZONE_KAFKA_VERSION);
}

/**
 * The version of the Kafka whose jars are in `libsDir`, read from its `kafka_2.13-<version>.jar`:
 * the jars, not the environment, decide how a broker on them must be run.
 */
export async function kafkaVersionOf(libsDir: string): Promise<KafkaVersion> {
  const jar = (await readdir(libsDir)).find((name) => /^kafka_2\.13-\d+\.\d+\.\d+\.jar$/.test(name));
  if (jar === undefined) throw new Error(`${libsDir} holds no kafka_2.13-<version>.jar: not a folder of Kafka jars`);
  return parseKafkaVersion(jar.slice("kafka_2.13-".length, -".jar".length));
}
