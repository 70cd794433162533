import { control } from "./commands/control";
import { dev } from "./commands/dev";
import { enforcer } from "./commands/enforcer";
import { flows } from "./commands/flows";
import { pdp } from "./commands/pdp";
import { policyCheck } from "./commands/policy-check";
import { policyPush } from "./commands/policy-push";
import { policyTest } from "./commands/policy-test";
import { policyWhatIf } from "./commands/policy-whatif";
import { quarantine } from "./commands/quarantine";
import { violations } from "./commands/violations";
import { zones } from "./commands/zones";
import { ApiRequestError, formatRequestError } from "./control-client";
import { helpText } from "./help-texts";
import { ExitCode } from "./io";
import type { CliIo } from "./io";
import { describeError } from "./describe-error";
import { UsageError } from "./usage-error";
import { cliVersion } from "./version";

const HELP_FLAGS: ReadonlySet<string> = new Set(["--help", "-h"]);

/**
 * Runs the `flowzone` command line `argv` (without node and the script) and resolves with its
 * exit code (docs/reference/cli.md: 0 success, 1 policy or request error, 2 usage error, 3 a
 * what-if that would newly deny flows). Never
 * throws and never exits the process: `main.ts` does that, and tests call this in-process.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      const help = error.command === "" ? "flowzone --help" : `flowzone ${error.command} --help`;
      io.stderr.write(`flowzone: ${error.message}\nRun '${help}' for usage.\n`);
      return ExitCode.usage;
    }
    if (error instanceof ApiRequestError) {
      io.stderr.write(`flowzone: ${formatRequestError(error)}\n`);
      return ExitCode.failure;
    }
    io.stderr.write(`flowzone: ${describeError(error)}\n`);
    return ExitCode.failure;
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.stderr.write(helpText("") ?? "");
    return ExitCode.usage;
  }
  if (HELP_FLAGS.has(command)) return printHelp("", io);
  if (command === "--version" || command === "-V") {
    io.stdout.write(`flowzone ${cliVersion()}\n`);
    return ExitCode.ok;
  }
  if (command === "help") return printHelp(rest.join(" "), io);
  if (command.startsWith("-")) throw new UsageError(`unknown option '${command}'`, "");
  if (command === "policy") return policy(rest, io);
  if (command === "pdp") return pdp(rest, io);
  if (command === "zones") return zones(rest, io);
  if (command === "violations") return violations(rest, io);
  if (command === "quarantine") return quarantine(rest, io);
  if (command === "flows") return flows(rest, io);
  if (command === "enforcer") return enforcer(rest, io);
  if (command === "control") return control(rest, io);
  if (command === "dev") return dev(rest, io);
  throw new UsageError(`unknown command '${command}'`, "");
}

async function policy(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = argv;
  if (sub === undefined) throw new UsageError("missing policy command: check, test, push or whatif", "policy");
  if (HELP_FLAGS.has(sub)) return printHelp("policy", io);
  switch (sub) {
    case "check":
      return policyCheck(rest, io);
    case "test":
      return policyTest(rest, io);
    case "push":
      return policyPush(rest, io);
    case "whatif":
      return policyWhatIf(rest, io);
    default:
      throw new UsageError(`unknown policy command '${sub}'`, "policy");
  }
}

/** `flowzone help [COMMAND...]`, and `--help` where no command's own parser sees it. */
function printHelp(command: string, io: CliIo): ExitCode {
  // `help zones flip` shows the help of `zones`: the longest known prefix of the words.
  const words = command.split(" ").filter((w) => w !== "");
  for (let n = words.length; n >= 0; n--) {
    const text = helpText(words.slice(0, n).join(" "));
    if (text !== undefined && (n > 0 || words.length === 0)) {
      io.stdout.write(text);
      return ExitCode.ok;
    }
  }
  throw new UsageError(`no help for unknown command '${command}'`, "");
}
