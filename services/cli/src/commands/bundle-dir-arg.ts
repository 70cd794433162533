import type { ParsedFlags } from "../parse-flags";
import { UsageError } from "../usage-error";

/** The single DIR positional of `policy check|test`; anything else is a usage error. */
export function bundleDirArg(flags: ParsedFlags, command: string): string {
  const [dir, ...extra] = flags.positionals;
  if (dir === undefined) throw new UsageError("missing DIR: the policy bundle directory to load", command);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0] ?? ""}': give one DIR`, command);
  return dir;
}
