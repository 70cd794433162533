/** Parses `FLOWZONE_KAFKA_BROKERS` (comma-separated `host:port`), naming what is wrong. */
export function parseBrokers(text: string): string[] {
  const brokers = text.split(",").map((b) => b.trim()).filter((b) => b !== "");
  const bad = brokers.find((b) => !/^[^\s:]+:\d{1,5}$/.test(b));
  if (brokers.length === 0 || bad !== undefined) {
    throw new Error(`FLOWZONE_KAFKA_BROKERS must be comma-separated host:port pairs, got "${text}"`);
  }
  return brokers;
}
