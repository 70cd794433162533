import { helpText } from "../help-texts";
import { ExitCode } from "../io";
import type { CliIo } from "../io";

/**
 * A command of the contract that is not built yet: `--help` says so (exit 0); running it says
 * so on stderr and exits 2, rather than pretending to work.
 */
export function notYetAvailable(command: string, args: readonly string[], io: CliIo): ExitCode {
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout.write(helpText(command) ?? "");
    return ExitCode.ok;
  }
  io.stderr.write(
    `flowzone: 'flowzone ${command}' is not yet available in this version (see CONTRACT.md section 7).\n` +
      "Available today: policy check|test|push, zones, violations, pdp. Run 'flowzone --help' for usage.\n",
  );
  return ExitCode.usage;
}
