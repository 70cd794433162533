/** One `key=value` line of a Kafka client properties file, with its 1-based line number. */
export interface ClientProperty {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

/**
 * Reads the text of a Kafka client properties file as librdkafka and `kcat -F` do: one
 * `key=value` per line, split at the first `=`, blanks around key and value trimmed, blank lines
 * and lines starting with `#` skipped. A key given twice is an error rather than last-wins, so a
 * forgotten line cannot silently change where flowzone connects.
 *
 * @throws Error naming the line and what is wrong with it.
 */
export function parseClientProperties(text: string): ClientProperty[] {
  const properties: ClientProperty[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const equals = trimmed.indexOf("=");
    if (equals <= 0) throw new Error(`line ${line}: expected key=value, got "${trimmed}"`);
    const key = trimmed.slice(0, equals).trim();
    const value = trimmed.slice(equals + 1).trim();
    const earlier = properties.find((p) => p.key === key);
    if (earlier !== undefined) throw new Error(`line ${line}: ${key} is already given at line ${earlier.line}`);
    properties.push({ key, value, line });
  });
  return properties;
}
