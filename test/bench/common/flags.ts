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
