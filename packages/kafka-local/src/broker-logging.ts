import { writeFile } from "node:fs/promises";
import path from "node:path";

import type { KafkaVersion } from "./kafka-version";

/** Levels every Kafka line logs at: the broker's own INFO (its readiness line among them), the rest quieter. */
const LEVELS: readonly (readonly [logger: string, level: string])[] = [
  ["kafka", "INFO"],
  ["org.apache.kafka", "WARN"],
  ["state.change.logger", "WARN"],
];

/** log4j 1 (Kafka 3.x, through reload4j): the log to stdout, where readiness is read. */
function log4jProperties(): string {
  return [
    "log4j.rootLogger=INFO, stdout",
    "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
    "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
    "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n",
    ...LEVELS.map(([logger, level]) => `log4j.logger.${logger}=${level}`),
    "",
  ].join("\n");
}

/** The same for log4j2 (Kafka 4.x), in its properties format (no YAML or XML parser needed). */
function log4j2Properties(): string {
  return [
    "appender.stdout.type=Console",
    "appender.stdout.name=STDOUT",
    "appender.stdout.layout.type=PatternLayout",
    "appender.stdout.layout.pattern=[%d] %p %m (%c)%n",
    "rootLogger.level=INFO",
    "rootLogger.appenderRef.stdout.ref=STDOUT",
    ...LEVELS.flatMap(([logger, level], index) => [`logger.l${index}.name=${logger}`, `logger.l${index}.level=${level}`]),
    "",
  ].join("\n");
}

/**
 * Writes the logging configuration the given Kafka line reads into `dir` and returns the JVM flag
 * that points the JVM at it: Kafka 4.0 moved from log4j 1 to log4j2, whose file and flag differ.
 */
export async function writeBrokerLogging(dir: string, kafka: KafkaVersion): Promise<string> {
  if (kafka.major === 3) {
    const file = path.join(dir, "log4j.properties");
    await writeFile(file, log4jProperties());
    return `-Dlog4j.configuration=file:${file}`;
  }
  const file = path.join(dir, "log4j2.properties");
  await writeFile(file, log4j2Properties());
  return `-Dlog4j2.configurationFile=${file}`;
}
