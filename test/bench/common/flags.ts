/** `--help` or `-h` anywhere: prints the benchmark's options and exits, measuring nothing. */
export function exitOnHelp(argv: readonly string[], usage: string): void {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
}

/**
 * Walks a benchmark's command line: calls `onFlag` with each flag in turn and a reader of the
 * positive number that follows it, for the flags that take one. What a flag means, and the
 * error for an unknown one, stay with each benchmark's own settings.
 */
export function eachFlag(argv: readonly string[], onFlag: (flag: string, positiveNumber: () => number) => void): void {
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? "";
    onFlag(flag, () => {
      const value = Number(argv[++i]);
      if (!(value > 0)) throw new Error(`${flag} needs a positive number`);
      return value;
    });
  }
}

/**
 * `--cluster`: the benchmark runs on a fresh local cluster of {@link CLUSTER_BROKERS} brokers instead
 * of the single broker, so replication (acks from two of three replicas), leaders spread over nodes
 * and consumer groups of several processes are part of what is measured (issue 11, item 6).
 */
export const CLUSTER_FLAG = "--cluster";
/** Nodes of the cluster mode: the smallest cluster on which flowzone replicates its topics three times. */
export const CLUSTER_BROKERS = 3;
