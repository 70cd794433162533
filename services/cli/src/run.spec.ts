import { helpText } from "./help-texts";
import { run } from "./run";

/** Runs the CLI in-process and returns its exit code and everything it printed. */
async function cliWithEnv(env: Record<string, string>, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
  });
  return { code, stdout, stderr };
}

function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliWithEnv({}, ...argv);
}

describe("flowzone help", () => {
  it.each([
    [["--help"], ""],
    [["-h"], ""],
    [["help"], ""],
    [["policy", "--help"], "policy"],
    [["policy", "-h"], "policy"],
    [["policy", "check", "--help"], "policy check"],
    [["policy", "test", "-h"], "policy test"],
    [["policy", "test", "some/dir", "--help"], "policy test"],
    [["pdp", "--help"], "pdp"],
    [["help", "policy", "test"], "policy test"],
    [["help", "zones", "flip"], "zones flip"],
    [["help", "zones", "flip", "now"], "zones flip"],
    [["zones", "--help"], "zones"],
    [["zones", "flip", "--help"], "zones flip"],
    [["zones", "status", "-h"], "zones status"],
    [["zones", "list", "--help"], "zones list"],
    [["violations", "--help"], "violations"],
    [["policy", "push", "--help"], "policy push"],
    [["policy", "whatif", "dir", "--help"], "policy whatif"],
  ])("%j prints the help of '%s' on stdout and exits 0", async (argv, command) => {
    const result = await cli(...argv);
    expect(result).toEqual({ code: 0, stdout: helpText(command), stderr: "" });
  });

  it("lists every command of the contract, each with its own help", () => {
    const root = helpText("") ?? "";
    for (const command of ["policy check DIR", "policy test DIR", "policy push DIR", "policy whatif DIR", "zones [list]", "zones status ZONE", "zones flip ZONE", "violations ZONE", "pdp", "enforcer", "control", "dev"]) {
      expect(root).toContain(`  ${command}`);
      expect(helpText(command.split(" ").filter((word) => /^[a-z]+$/.test(word)).join(" "))).toMatch(/^Usage: flowzone /);
    }
    expect(root).not.toContain("Not yet available");
  });

  it("documents the exit codes and the --json shape of the policy commands", () => {
    expect(helpText("")).toContain("0 success, 1 policy or request error, 2 usage error");
    expect(helpText("policy check")).toContain('"version": string | null');
    expect(helpText("policy test")).toContain('"passed": number, "failed": number');
    expect(helpText("policy whatif")).toContain("Exit codes: 0 nothing would be newly denied or refused, 3 some flow would be");
  });
});

describe("flowzone --version", () => {
  it.each([["--version"], ["-V"]])("%s prints the package version", async (flag) => {
    const result = await cli(flag);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^flowzone \d+\.\d+\.\d+\n$/);
  });
});

describe("usage errors exit 2 with a hint to the right --help", () => {
  it.each([
    [[], "Usage: flowzone <command>", ""],
    [["frobnicate"], "unknown command 'frobnicate'", "flowzone --help"],
    [["--frobnicate"], "unknown option '--frobnicate'", "flowzone --help"],
    [["policy"], "missing policy command", "flowzone policy --help"],
    [["policy", "lint", "dir"], "unknown policy command 'lint'", "flowzone policy --help"],
    [["policy", "check"], "missing DIR", "flowzone policy check --help"],
    [["policy", "test"], "missing DIR", "flowzone policy test --help"],
    [["policy", "whatif"], "missing DIR", "flowzone policy whatif --help"],
    [["policy", "whatif", "dir", "--since", "soon"], "--since must be a positive duration such as 7d, 24h or 90m, not 'soon'", "flowzone policy whatif --help"],
    [["policy", "check", "a", "b"], "unexpected argument 'b'", "flowzone policy check --help"],
    [["policy", "check", "dir", "--yaml"], "Unknown option '--yaml'", "flowzone policy check --help"],
    [["policy", "test", "dir", "--json=yes"], "--json", "flowzone policy test --help"],
    [["pdp", "--port"], "--port", "flowzone pdp --help"],
    [["pdp", "--bogus"], "Unknown option '--bogus'", "flowzone pdp --help"],
    [["pdp", "bundle-dir"], "unexpected argument 'bundle-dir'", "flowzone pdp --help"],
    [["policy", "push"], "missing DIR", "flowzone policy push --help"],
    [["zones", "frob"], "unknown zones command 'frob'", "flowzone zones --help"],
    [["zones", "status"], "missing ZONE", "flowzone zones status --help"],
    [["zones", "flip", "banana", "--reason", "x"], "missing --to MODE", "flowzone zones flip --help"],
    [["zones", "flip", "banana", "--to", "enforcing", "--reason", "x"], "--to must be one of enforcement, logging, off, not 'enforcing'", "flowzone zones flip --help"],
    [["zones", "flip", "banana", "--to", "off"], "missing --reason TEXT", "flowzone zones flip --help"],
    [["violations"], "missing ZONE", "flowzone violations --help"],
    [["violations", "banana", "--status", "closed"], "--status must be one of open, resolved, all", "flowzone violations --help"],
    [["violations", "banana", "--limit", "0"], "--limit must be a positive integer", "flowzone violations --help"],
  ])("%j", async (argv, message, hint) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(message);
    if (hint !== "") expect(result.stderr).toContain(`Run '${hint}' for usage.`);
  });
});

describe("long-running commands refuse bad settings before starting anything", () => {
  it.each([
    [["enforcer"], "--policy: no policy directory given", {}],
    [["enforcer", "--policy", "examples/bundle"], "--routes: no routes file given", {}],
    [["enforcer", "--policy", "p", "--routes", "r", "--brokers", "nohost"], "--brokers", {}],
    [["control", "--http-port", "eighty"], "--http-port", {}],
    [["dev", "--pdp-port", "70000"], '"70000" is not a port', {}],
    [["dev", "--bogus"], "Unknown option '--bogus'", {}],
    [["dev"], 'FLOWZONE_KAFKA_BROKERS: "a b" must be comma-separated host:port pairs', { FLOWZONE_KAFKA_BROKERS: "a b" }],
    [["dev", "--secure", "--brokers", "127.0.0.1:9092"], "--secure starts a secured broker of its own", {}],
    [["pdp", "--policy", "examples/bundle"], 'FLOWZONE_KAFKA_CONFIG: "no-such.properties" cannot be read', { FLOWZONE_KAFKA_CONFIG: "no-such.properties" }],
    [["pdp", "--policy", "examples/bundle"], 'FLOWZONE_LOG_LEVEL: "loud" must be one of', { FLOWZONE_LOG_LEVEL: "loud" }],
  ])("%j exits 2 naming the setting", async (argv, message, env) => {
    const result = await cliWithEnv(env, ...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
