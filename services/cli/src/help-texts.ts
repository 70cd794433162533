/**
 * Every help text of the `flowzone` command, keyed by its command words. Commands of
 * CONTRACT.md section 7 that are not built yet have a help text too, saying so.
 */

const EXIT_CODES = "Exit codes: 0 success, 1 policy or request error, 2 usage error.";

const ROOT = `flowzone: data-flow zones for event streams.

Usage: flowzone <command> [options]

Commands:
  policy check DIR     Validate a policy bundle; print its version and what it declares
  policy test DIR      Run the bundle's policy tests (kind: TestSuite documents)
  pdp                  Start the decision service (gRPC flowzone.v1.DecisionService)

Not yet available (in the contract, not built yet; running them exits 2):
  policy push DIR      Publish a bundle to the control plane
  zones [list]         List zones with their modes and open violations
  zones status ZONE    Show a zone's readiness to enforce
  zones flip ZONE      Flip a zone's mode (--to MODE --reason TEXT [--force])
  violations ZONE      List a zone's violations
  enforcer             Start the stream enforcer
  control              Start the control plane
  dev                  Run everything locally

Options:
  -h, --help           Show help; works after any command: flowzone policy test --help
  -V, --version        Print the version

${EXIT_CODES}
`;

const POLICY = `Usage: flowzone policy <check|test|push> DIR [options]

Commands:
  check DIR            Validate a policy bundle; print its version and what it declares
  test DIR             Run the bundle's policy tests (kind: TestSuite documents)
  push DIR             Not yet available: publish a bundle to the control plane

Run 'flowzone policy <command> --help' for a command's options.

${EXIT_CODES}
`;

const POLICY_CHECK = `Usage: flowzone policy check DIR [--json]

Loads every *.yaml/*.yml file under DIR as one policy bundle and validates it, all or nothing.
Prints the bundle's version (sha256 of its canonical content) and how many labels, assets,
zones and test suites it declares; or every error as DIR/file:line: message.

Options:
  --json               Print one JSON object instead:
                         {"ok": boolean, "dir": string, "version": string | null,
                          "counts": {"labels", "assets", "zones", "testSuites", "tests"} | null,
                          "zones": [{"name", "mode", "failMode", "protects"}],
                          "errors": [{"file", "line", "message"}]}
                       "file" includes DIR; "line" is 0 for an error not tied to a line.
  -h, --help           Show this help

Exit codes: 0 valid bundle, 1 invalid or unreadable bundle, 2 usage error.
`;

const POLICY_TEST = `Usage: flowzone policy test DIR [--json] [--verbose]

Loads the bundle in DIR and runs its policy tests (kind: TestSuite documents) against it.
Prints each failing test with its reasons, grouped by suite, then "N passed, M failed".

Options:
  --verbose, -v        Show every test (PASS and FAIL) with the decision it got
  --json               Print one JSON object instead (every test, --verbose or not):
                         {"ok": boolean, "dir": string, "version": string | null,
                          "passed": number, "failed": number,
                          "errors": [{"file", "line", "message"}],
                          "suites": [{"name", "file", "passed", "failed",
                            "tests": [{"name", "file", "line", "passed", "failures": [string],
                              "decision": {"decision": "allow" | "deny",
                                "violations": [{"zone", "rule", "mode", "enforced", "failMode",
                                  "labels", "reason"}]} | null}]}]}
                       "file" includes DIR; "errors" lists bundle errors (then no test runs).
  -h, --help           Show this help

Exit codes: 0 every test passed, 1 a test failed or the bundle is invalid, 2 usage error.
`;

const PDP = `Usage: flowzone pdp [--policy DIR] [--host HOST] [--port PORT]

Starts the decision service: gRPC flowzone.v1.DecisionService (Check, CheckBatch,
CheckStream) with health and reflection, deciding writes with the bundle in DIR and reloading
it when it changes. Logs JSON lines (pino), including the address it listens on. Stops on
SIGINT or SIGTERM, finishing calls in flight first.

Options:
  --policy DIR         Policy bundle directory (env FLOWZONE_POLICY)
  --host HOST          Address to listen on (env FLOWZONE_PDP_HOST, default 127.0.0.1)
  --port PORT          Port to listen on; 0 picks a free one (env FLOWZONE_PDP_PORT, default 50051)
  -h, --help           Show this help

Flags win over the environment, which wins over defaults.

Exit codes: 0 stopped cleanly, 1 could not start (e.g. an invalid bundle), 2 usage or
configuration error.
`;

/** Help of a command of the contract that does not exist yet. */
function notYet(usage: string, what: string): string {
  return `Usage: ${usage}

Not yet available: ${what}
This command is part of the flowzone contract (CONTRACT.md section 7) but is not built yet;
running it exits with code 2. Available today: policy check, policy test, pdp.
`;
}

const TEXTS: ReadonlyMap<string, string> = new Map([
  ["", ROOT],
  ["policy", POLICY],
  ["policy check", POLICY_CHECK],
  ["policy test", POLICY_TEST],
  ["pdp", PDP],
  ["policy push", notYet("flowzone policy push DIR", "publishes a policy bundle to the control plane.")],
  [
    "zones",
    notYet(
      "flowzone zones [list] | zones status ZONE | zones flip ZONE --to MODE --reason TEXT [--force]",
      "lists zones, shows a zone's readiness and flips its mode through the control plane.",
    ),
  ],
  ["violations", notYet("flowzone violations ZONE", "lists a zone's violations from the control plane.")],
  ["enforcer", notYet("flowzone enforcer [--routes FILE]", "starts the stream enforcer on Kafka routes.")],
  ["control", notYet("flowzone control", "starts the control plane (HTTP and gRPC ZoneService).")],
  ["dev", notYet("flowzone dev", "runs everything locally: Kafka, PostgreSQL, decision service, control plane.")],
]);

/** The commands of the contract that are listed in help but not built yet. */
export const NOT_YET_AVAILABLE: readonly string[] = ["policy push", "zones", "violations", "enforcer", "control", "dev"];

/**
 * The help text of a command, by its words (`""` for the root, `"policy test"`), or undefined
 * when there is no such command.
 */
export function helpText(command: string): string | undefined {
  return TEXTS.get(command);
}
