import { CONTROL_SETTINGS } from "@flowzone/control-service";
import { ENFORCER_SETTINGS } from "@flowzone/enforcer";
import { DECISION_SERVICE_SETTINGS } from "@flowzone/pdp";

import { DEV_SETTINGS } from "./dev/dev-settings";
import { logSettings } from "./log-settings";
import { settingsHelp } from "./settings-help";

/**
 * Every help text of the `flowzone` command, keyed by its command words. Commands of
 * docs/reference/cli.md that are not built yet have a help text too, saying so.
 */

const EXIT_CODES = "Exit codes: 0 success, 1 policy or request error, 2 usage error.";

const CONTROL_ENV = `Commands that talk to the control plane (policy push, policy whatif, zones, violations, flows, quarantine) use:
  FLOWZONE_CONTROL_URL   The control plane's HTTP API (default http://127.0.0.1:8080)
  FLOWZONE_TOKEN         A bearer token from its token file (reads: any role;
                         changes: privacy-admin)`;

const CONTROL_EXIT_CODES = `Exit codes: 0 success, 1 request error (the control plane's message is printed;
a refused flip lists every blocker), 2 usage error.`;

/** The one set of rules every command reads its settings by (docs/reference/configuration.md). */
const SETTING_RULES = `
A flag wins over its environment variable, which wins over the default; an environment variable
set to "" counts as unset.
`;

const ROOT = `flowzone: data-flow zones for event streams.

Usage: flowzone <command> [options]

Commands:
  policy check DIR     Validate a policy bundle; print its version and what it declares
  policy test DIR      Run the bundle's policy tests (kind: TestSuite documents)
  policy push DIR      Validate a bundle, then publish it to the control plane
  policy whatif DIR    What a bundle would deny, allow, open and resolve among the flows seen
  zones [list]         List zones with their modes and open violations
  zones status ZONE    Show a zone's readiness to enforce, open flows, exceptions, history
  zones flip ZONE      Flip a zone's mode (--to MODE --reason TEXT [--force])
  violations ZONE      List a zone's violations (--status open|resolved|all, --limit N)
  flows                List the flows decision points saw, most traffic first (--zone Z, --since 7d)
  quarantine redrive ROUTE
                       Forward a route's quarantined records the policy now allows
  pdp                  Start the decision service (gRPC flowzone.v1.DecisionService)
  enforcer             Start the stream enforcer (exactly-once routes between topics)
  control              Start the control plane (HTTP API and gRPC ZoneService)
  dev                  Run everything locally: Kafka, PostgreSQL, control plane, pdp, enforcer

Options:
  -h, --help           Show help; works after any command: flowzone policy test --help
  -V, --version        Print the version

${CONTROL_ENV}

${EXIT_CODES}
`;

const POLICY = `Usage: flowzone policy <check|test|push|whatif> DIR [options]

Commands:
  check DIR            Validate a policy bundle; print its version and what it declares
  test DIR             Run the bundle's policy tests (kind: TestSuite documents)
  push DIR             Validate a bundle, then publish it to the control plane
  whatif DIR           Evaluate a bundle against the flows the control plane has seen, before
                       pushing it (exit 3 when it would newly deny any)

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

const PDP = `Usage: flowzone pdp [--policy DIR] [--host HOST] [--port PORT] [--brokers LIST] [--audit-spool DIR] [--metrics-port N]

Starts the decision service: gRPC flowzone.v1.DecisionService (Check, CheckBatch,
CheckStream) with health and reflection, deciding writes with the bundle in DIR and reloading
it when it changes. With Kafka brokers it writes the audit trail, reports the flows it decided
to flowzone.flows.v1 every few seconds, and follows the control topic; without, it only answers. Stops on SIGINT or SIGTERM, finishing calls in flight first.

Settings (flag, environment variable):
${settingsHelp({ ...DECISION_SERVICE_SETTINGS, ...logSettings("info") })}
  -h, --help  Show this help
${SETTING_RULES}
Exit codes: 0 stopped cleanly, 1 could not start (e.g. an invalid bundle), 2 usage or
configuration error.
`;

const POLICY_PUSH = `Usage: flowzone policy push DIR [--json]

Validates the bundle in DIR locally first (every error as DIR/file:line: message, nothing is
sent), then sends every *.yaml/*.yml file to the control plane (PUT /v1/policy), which
validates it again, publishes it to every decision service and enforcer, and re-evaluates the
open violations. Prints the published version. Needs a privacy-admin token.

Options:
  --json               Print the API's JSON instead: {"version": string}; on an invalid
                       bundle {"error": {"code": "invalid_policy", "message", "errors": [string]}}
  -h, --help           Show this help

${CONTROL_ENV}

${CONTROL_EXIT_CODES}
`;

const POLICY_WHATIF = `Usage: flowzone policy whatif DIR [--since 7d] [--json]

Validates the bundle in DIR locally, then asks the control plane (POST /v1/policy/whatif) to
evaluate it against every flow its inventory saw in the window, under the zone modes and
exceptions in force, and prints what would change: how many entries each list has, then a table
per list, most traffic first:
  newly denied         flows allowed now that the bundle denies (one row per enforced violation)
  newly allowed        flows denied now that the bundle allows (one row per violation lifted)
  opened, resolved     violations (any mode) the bundle adds or removes
  invalid              flows the bundle cannot decide (e.g. a label it no longer declares): they
                       would be refused
Nothing is changed. Any valid token will do.

Options:
  --since DURATION     How far back to take flows (default 7d; e.g. 24h, 90m)
  --json               Print the API's JSON: {"newlyDenied", "newlyAllowed", "opened",
                         "resolved": [{"zone", "rule", "producer", "sink", "labels", "sources",
                         "purpose", "count", "lastSeen"}], "invalid": [{"producer", "sink",
                         "labels", "sources", "purpose", "count", "lastSeen", "error"}],
                         "flowsNewlyDenied", "flowsEvaluated", "window": {"since", "until"}}
  -h, --help           Show this help

${CONTROL_ENV}

Exit codes: 0 nothing would be newly denied or refused, 3 some flow would be (a CI pipeline
can stop the change on it), 1 invalid bundle or request error, 2 usage error.
`;

const ZONES = `Usage: flowzone zones [list] [--json]
       flowzone zones status ZONE [--json]
       flowzone zones flip ZONE --to MODE --reason TEXT [--force] [--json]

Commands:
  list                 Every zone: mode, effective mode, fail mode, open violations, last
                       violation, whether it drained and may enforce, owners (the default)
  status ZONE          One zone: readiness to enforce and its blockers, top open flows,
                       exceptions and flip history
  flip ZONE            Change a zone's mode; see 'flowzone zones flip --help'

Times are relative ("3m ago"); --json prints the API's JSON as is, with RFC 3339 times.

${CONTROL_ENV}

${CONTROL_EXIT_CODES}
`;

const ZONES_LIST = `Usage: flowzone zones [list] [--json]

Lists every zone with its mode, effective mode (after the master switch), fail mode, open
violation signatures, last violation (relative), whether it drained, whether it is ready to
enforce, and its owners.

Options:
  --json               Print the API's JSON: {"zones": [{"name", "mode", "effectiveMode",
                         "failMode", "openViolations", "lastViolationAt": string | null,
                         "drained", "readyToEnforce", "owners"}]}
  -h, --help           Show this help

${CONTROL_ENV}

${CONTROL_EXIT_CODES}
`;

const ZONES_STATUS = `Usage: flowzone zones status ZONE [--json]

Shows one zone: its settings, whether it is ready to enforce and each blocker (with its
numbers), decisions seen in the quiet period and when it ends, the top open flows, the
active exceptions and the flip history, newest first.

Options:
  --json               Print the API's JSON: the zone (as in 'zones --json') plus
                         "readiness": {"ready", "blockers", "decisionsInQuietPeriod",
                           "quietPeriodEndsAt"}, "topOpenFlows", "exceptions", "history"
  -h, --help           Show this help

${CONTROL_ENV}

${CONTROL_EXIT_CODES}
`;

const ZONES_FLIP = `Usage: flowzone zones flip ZONE --to MODE --reason TEXT [--force] [--json]

Flips a zone's mode. To enforcement only once the zone drained (no open violation, none seen
for its quiet period, traffic seen in it); otherwise the control plane refuses and every
blocker is printed. Back to logging or off is always allowed: the safety valve. Every flip is
recorded in the zone's history with who made it and why. Needs a privacy-admin token.
A flip to enforcement, made or refused, also says how many inventoried flows seen in the last
7d the zone in enforcement newly denies (they were allowed before).

Options:
  --to MODE            enforcement, logging or off
  --reason TEXT        Why (required; recorded in the history and the audit trail)
  --force              Flip to enforcement even though the zone has not drained
                       (recorded as forced)
  --json               Print the API's JSON: the zone after the flip, with
                         "flowsNewlyDenied" (0 unless the flip is to enforcement)
  -h, --help           Show this help

${CONTROL_ENV}

${CONTROL_EXIT_CODES}
`;

const VIOLATIONS = `Usage: flowzone violations ZONE [--status open|resolved|all] [--limit N] [--json]

Lists a zone's violation signatures (zone, rule, producer, sink, labels): how often each was
seen, first and last seen (relative), status and how it was resolved, and how many times it
reopened.

Options:
  --status STATUS      open (default), resolved or all
  --limit N            At most N rows (the control plane's default is 100, its maximum 1000)
  --json               Print the API's JSON: {"violations": [{"id", "zone", "rule",
                         "producer", "sink", "labels", "firstSeen", "lastSeen", "count",
                         "status", "resolution": null | "policy_change" | "exception" | "fixed",
                         "reopened"}]}
  -h, --help           Show this help

${CONTROL_ENV}

${CONTROL_EXIT_CODES}
`;

const QUARANTINE = `Usage: flowzone quarantine redrive ROUTE [--violation ID | --since TIME] [--json]

Commands:
  redrive ROUTE        Re-check a route's quarantined records under the policy now in force
                       and forward those now allowed to the route's target, exactly once
  -h, --help           Show this help

${CONTROL_ENV}

${CONTROL_EXIT_CODES}
`;

const QUARANTINE_REDRIVE = `Usage: flowzone quarantine redrive ROUTE [--violation ID | --since TIME] [--json]

Asks the control plane to re-check every record of the enforcer route's quarantine topic (from
its start, or from --since, to its end when the re-drive starts) under the policy now in force
(after a zone was flipped back, an exception granted or the bundle fixed). Records now allowed
go to the route's target with the headers the enforcer would have given them, each with a
'redriven' audit record naming you, exactly once: a second re-drive forwards nothing again.
Records still denied, undecidable or not selected stay in quarantine and are counted. The
control plane needs the enforcer's routes file (FLOWZONE_ROUTES). Needs a privacy-admin token.

Options:
  --violation ID       Only records quarantined for this violation (an id from
                         'flowzone violations ZONE')
  --since TIME         Only records quarantined since TIME: RFC 3339 (2030-01-31T12:00:00Z) or
                         a duration ago (90m, 7d)
  --json               Print the API's JSON: {"route", "examined", "redriven",
                         "alreadyRedriven", "stillDenied", "unreadable", "skipped"}
  -h, --help           Show this help

${CONTROL_ENV}

${CONTROL_EXIT_CODES}
`;

const FLOWS = `Usage: flowzone flows [--zone Z] [--label L] [--sink S] [--producer P] [--since 7d] [--limit N] [--json]

Lists the flow inventory: every distinct flow (producer, sink, labels, sources, purpose) the
decision points reported in the window, most traffic first, with its decisions in the window
(counted by the hour), the zones of the policy in force it touches (- for none, or a flow the
policy cannot read) and when it was last seen (relative). Filters combine.

Options:
  --zone Z             Flows touching zone Z (by their labels or their sources' labels)
  --label L            Flows whose writes carried label L
  --sink S             Flows to sink S (an exact asset id)
  --producer P         Flows from producer P (an exact asset id)
  --since DURATION     How far back to look: 7d (default), 24h, 90m, ...
  --limit N            At most N rows (the control plane's default is 100, its maximum 1000)
  --json               Print the API's JSON: {"flows": [{"signature", "producer", "sink",
                         "labels", "sources", "purpose", "zones", "count", "firstSeen",
                         "lastSeen"}], "window": {"since", "until"}}
  -h, --help           Show this help

${CONTROL_ENV}

${CONTROL_EXIT_CODES}
`;

const ENFORCER = `Usage: flowzone enforcer [--routes FILE] [--policy DIR] [--brokers LIST] [--home DIR] [--metrics-port N]

Runs the stream enforcer: for every route (docs/reference/kafka.md) it consumes the 'from' topic,
decides each record with the policy engine, forwards allowed and logging-mode records to 'to'
with their labels, quarantines enforced violations and unreadable records, and writes one audit
record per violation, all in one Kafka transaction per batch (exactly once); the flows it
decided go to flowzone.flows.v1 every few seconds. It follows the bundle directory and the
control topic like the decision service. Without brokers it starts a
local broker under the home folder. Stops on Ctrl-C or SIGTERM.

Settings (flag, environment variable):
${settingsHelp({ ...ENFORCER_SETTINGS, ...logSettings("info") })}
  -h, --help  Show this help
${SETTING_RULES}
Exit codes: 0 stopped cleanly, 1 cannot start (invalid routes or bundle, Kafka) or a route
stopped for good, 2 usage or configuration error.
`;

const CONTROL = `Usage: flowzone control [--policy DIR] [--routes FILE] [--host H] [--http-port N] [--grpc-port N] [--tokens FILE] [--brokers LIST] [--home DIR]

Runs the control plane: the violation backlog (consumer of flowzone.audit.v1), remediation,
guarded flips, and the distribution of bundles, zone modes and exceptions on
flowzone.control.v1, behind the HTTP API (docs/reference/http-api.md) and gRPC ZoneService.
Without brokers it starts a local broker under the home folder. Stops on Ctrl-C or SIGTERM.

Settings (flag, environment variable):
${settingsHelp({ ...CONTROL_SETTINGS, ...logSettings("info") })}
  -h, --help  Show this help
${SETTING_RULES}
Exit codes: 0 stopped cleanly, 1 cannot start, 2 usage or configuration error.
`;

const DEV = `Usage: flowzone dev [--policy DIR] [--routes FILE] [--home DIR] [--pdp-port N] [--http-port N] [--grpc-port N] [--metrics-port N] [--brokers LIST] [--tokens FILE] [--secure]

Runs all of flowzone locally, in one command: a Kafka broker (unless brokers are given),
PostgreSQL (embedded PGlite unless DATABASE_URL is set), the control plane, the decision
service and the stream enforcer, on the example bundle and routes. Prints where each part
listens and a first command to try; Ctrl-C stops everything cleanly. A second start reuses
what the first downloaded (the home folder).

With --secure the local broker listens only with SASL_SSL (certificates made at start, SCRAM
users, ACLs: only the control plane may write the control topic, producers neither flowzone
topic); each service connects as its principal, and the summary prints the client properties
file for producers (FLOWZONE_KAFKA_CONFIG, kcat -F). Not with brokers or FLOWZONE_KAFKA_CONFIG.

Settings (flag, environment variable):
${settingsHelp({ ...DEV_SETTINGS, ...logSettings("warn") })}
  -h, --help  Show this help
${SETTING_RULES}
Exit codes: 0 stopped cleanly, 1 cannot start or a part failed for good, 2 usage or
configuration error.
`;


const TEXTS: ReadonlyMap<string, string> = new Map([
  ["", ROOT],
  ["policy", POLICY],
  ["policy check", POLICY_CHECK],
  ["policy test", POLICY_TEST],
  ["pdp", PDP],
  ["policy push", POLICY_PUSH],
  ["policy whatif", POLICY_WHATIF],
  ["zones", ZONES],
  ["zones list", ZONES_LIST],
  ["zones status", ZONES_STATUS],
  ["zones flip", ZONES_FLIP],
  ["violations", VIOLATIONS],
  ["quarantine", QUARANTINE],
  ["quarantine redrive", QUARANTINE_REDRIVE],
  ["flows", FLOWS],
  ["enforcer", ENFORCER],
  ["control", CONTROL],
  ["dev", DEV],
]);

/**
 * The help text of a command, by its words (`""` for the root, `"policy test"`), or undefined
 * when there is no such command.
 */
export function helpText(command: string): string | undefined {
  return TEXTS.get(command);
}
