import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/**
 * Classes the local broker runs: the storage formatter and the broker itself. A jar folder
 * without them cannot start a broker, whatever marker it carries.
 */
export const BROKER_MAIN_CLASSES = ["kafka.tools.StorageTool", "kafka.Kafka"] as const;

/**
 * The main classes that no jar in `libsDir` holds (empty when the folder can start a broker).
 * A zip stores every entry's name uncompressed in its central directory, so finding
 * `kafka/Kafka.class` among a jar's bytes is enough to know the jar holds that class.
 */
export async function missingBrokerClasses(libsDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(libsDir)).filter((name) => name.endsWith(".jar"));
  } catch {
    return [...BROKER_MAIN_CLASSES];
  }
  const missing = new Set<string>(BROKER_MAIN_CLASSES);
  for (const name of names) {
    if (missing.size === 0) break;
    const bytes = await readFile(path.join(libsDir, name));
    for (const mainClass of [...missing]) {
      if (bytes.includes(`${mainClass.replaceAll(".", "/")}.class`)) missing.delete(mainClass);
    }
  }
  return [...missing];
}
