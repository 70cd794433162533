// The `flowzone zones|violations|policy push` commands against the real HTTP server, run
// in-process with captured output: tables for people, the API's JSON with --json, exit codes.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "@flowzone/cli";
import { ADMIN_TOKEN, startControlApi, VIEWER_TOKEN } from "./control-api-harness";
import type { ControlApi } from "./control-api-harness";

let api: ControlApi;
beforeEach(async () => {
  api = await startControlApi();
});
afterEach(async () => {
  await api.stop();
});

/** Runs the CLI with `token` as FLOWZONE_TOKEN (null: none). */
async function cli(argv: string[], token: string | null = ADMIN_TOKEN): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { FLOWZONE_CONTROL_URL: api.baseUrl, FLOWZONE_TOKEN: token ?? undefined },
  });
  return { code, stdout, stderr };
}

describe("flowzone zones", () => {
  it("prints an aligned table with relative times", async () => {
    for (const argv of [["zones"], ["zones", "list"]]) {
      const result = await cli(argv, VIEWER_TOKEN);
      expect(result).toMatchObject({ code: 0, stderr: "" });
      const lines = result.stdout.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^ZONE\s+MODE\s+EFFECTIVE\s+FAIL MODE\s+OPEN\s+NOT STORED\s+LAST VIOLATION\s+DRAINED\s+READY\s+DRAINS\s+OWNERS$/);
      expect(lines[1]).toMatch(/^banana\s+logging\s+logging\s+open\s+2\s+7\s+3m ago\s+no\s+no\s+not draining\s+privacy-banana$/);
      expect(lines[2]).toMatch(/^email\s+logging\s+logging\s+open\s+0\s+0\s+-\s+yes\s+yes\s+drained\s+privacy-crm$/);
      // Aligned: every row starts its MODE column where the header does.
      const column = (lines[0] ?? "").indexOf("MODE");
      for (const line of lines.slice(1)) expect(line.slice(column, column + 7)).toBe("logging");
    }
  });

  it("prints the API's JSON as is with --json", async () => {
    const result = await cli(["zones", "--json"]);
    expect(result.code).toBe(0);
    const expected = (await api.request("GET", "/v1/zones")).json;
    expect(JSON.parse(result.stdout)).toEqual(expected);
  });

  it("status shows readiness, blockers, flows and history", async () => {
    await cli(["zones", "flip", "banana", "--to", "off", "--reason", "incident 7"]);
    const result = await cli(["zones", "status", "banana"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^zone banana\n/);
    expect(result.stdout).toMatch(/ready to enforce\s+no/);
    expect(result.stdout).toMatch(/violations not stored\s+7\n/);
    expect(result.stdout).toMatch(/drain forecast\s+not draining; 0\.0 resolved\/day, 0\.0 new\/day over 7 days\n/);
    expect(result.stdout).toContain("Blockers to enforcement:\n  - 2 violation signatures are still open\n");
    expect(result.stdout).toMatch(/Top open flows:\n {2}PRODUCER\s+SINK\s+LABELS\s+COUNT\n {2}svc:banana-app\s+kafka:export-daily\s+banana\s+42/);
    expect(result.stdout).toContain("Exceptions: none");
    expect(result.stdout).toMatch(/History \(newest first\):\n {2}WHEN\s+FROM\s+TO\s+BY\s+HOW\s+REASON\n {2}just now\s+logging\s+off\s+alice@privacy\s+manual\s+incident 7\n/);

    const json = await cli(["zones", "status", "banana", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: "banana", readiness: { ready: false }, history: [{ to: "off", reason: "incident 7" }] });
  });

  it("status of an unknown zone exits 1 with the API's message", async () => {
    expect(await cli(["zones", "status", "nope"])).toEqual({ code: 1, stdout: "", stderr: "flowzone: no zone named nope\n" });
  });

  it("flip to enforcement before the zone drained exits 1 and prints every blocker and the flows it would newly deny", async () => {
    api.plane.flowsNewlyDenied = 1;
    const result = await cli(["zones", "flip", "banana", "--to", "enforcement", "--reason", "try"]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "flowzone: zone banana is not drained, so it cannot enforce yet\n" +
        "  - 2 violation signatures are still open\n" +
        "  - the last violation was seen 3 minutes ago; the quiet period of 24h has not passed\n" +
        "  - in enforcement the zone would newly deny 1 inventoried flow seen in the last 7d\n",
    });
  });

  it("flip succeeds when drained, saying how many flows it newly denies, and --force overrides with a reason", async () => {
    api.plane.flowsNewlyDenied = 4;
    expect(await cli(["zones", "flip", "email", "--to", "enforcement", "--reason", "drained"])).toEqual({
      code: 0,
      stdout: "zone email is now in enforcement mode\n  newly denied: 4 inventoried flows seen in the last 7d\n",
      stderr: "",
    });
    expect((await cli(["zones", "flip", "email", "--to", "logging", "--reason", "rollback"])).stdout).toBe("zone email is now in logging mode\n");
    const forced = await cli(["zones", "flip", "banana", "--to", "enforcement", "--reason", "incident", "--force", "--json"]);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ name: "banana", mode: "enforcement" });
    expect(api.plane.zones.get("banana")?.history[0]).toMatchObject({ forced: true, actor: "alice@privacy" });
  });

  it("a viewer's flip exits 1 with the 403 message; no token exits 1 with a hint", async () => {
    expect(await cli(["zones", "flip", "email", "--to", "off", "--reason", "x"], VIEWER_TOKEN)).toEqual({
      code: 1,
      stdout: "",
      stderr: "flowzone: bob@eng has the role viewer; changes need the role privacy-admin\n",
    });
    const anonymous = await cli(["zones"], null);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain("missing bearer token");
    expect(anonymous.stderr).toContain("Set FLOWZONE_TOKEN");
  });

  it("an unreachable control plane exits 1 naming the URL", async () => {
    let stderr = "";
    const code = await run(["zones"], { stdout: { write: () => undefined }, stderr: { write: (s: string) => (stderr += s) }, env: { FLOWZONE_CONTROL_URL: "http://127.0.0.1:1" } });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^flowzone: cannot reach the control plane at http:\/\/127\.0\.0\.1:1 \(.+\); is it running/);
  });
});

describe("flowzone violations", () => {
  it("lists open violations by default in a table", async () => {
    const result = await cli(["violations", "banana"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+RULE\s+PRODUCER\s+SINK\s+LABELS\s+COUNT\s+STATUS\s+REOPENED\s+FIRST SEEN\s+LAST SEEN$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(["v-1", "v-2"]);
    expect(lines[1]).toMatch(/^v-1\s+boundary\s+svc:banana-app\s+kafka:export-daily\s+banana\s+42\s+open\s+0\s+60m ago\s+3m ago$/);
  });

  it("filters by --status and --limit and prints the API's JSON with --json", async () => {
    const resolved = await cli(["violations", "banana", "--status", "resolved"]);
    expect(resolved.stdout).toMatch(/\nv-3\s.*resolved \(policy_change\)/);
    const json = await cli(["violations", "banana", "--status", "all", "--limit", "2", "--json"]);
    expect((JSON.parse(json.stdout) as { violations: { id: string }[] }).violations.map((v) => v.id)).toEqual(["v-1", "v-2"]);
    expect(await cli(["violations", "email"])).toEqual({ code: 0, stdout: "no open violations in zone email\n", stderr: "" });
    expect((await cli(["violations", "nope"])).code).toBe(1);
  });
});

describe("flowzone policy push", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowzone-push-"));
    await mkdir(join(dir, "zones"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("pushes a valid bundle and prints its version", async () => {
    await writeFile(join(dir, "labels.yaml"), "kind: Label\nname: banana\n");
    await writeFile(join(dir, "zones", "banana.yaml"), "kind: Zone\nname: banana\nprotects: [banana]\nmembers: [svc:banana-*]\n");
    const result = await cli(["policy", "push", dir]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${dir}: pushed to ${api.baseUrl}\\n {2}version {2}sha256:[0-9a-f]{64}\\n$`));
    expect(api.plane.changes).toEqual([{ operation: "pushPolicy", target: "bundle", actor: "alice@privacy" }]);
    const json = await cli(["policy", "push", dir, "--json"]);
    expect(JSON.parse(json.stdout)).toEqual({ version: expect.stringMatching(/^sha256:/) as unknown });
  });

  it("refuses an invalid bundle locally with every file:line, sending nothing", async () => {
    await writeFile(join(dir, "labels.yaml"), "kind: Label\nname: banana\ncolour: yellow\n");
    const result = await cli(["policy", "push", dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(dir, "labels.yaml")}:3: `);
    expect(result.stderr).toContain("invalid policy bundle (1 error); nothing was pushed");
    expect(api.plane.changes).toEqual([]);
  });

  it("a viewer's push exits 1 with the API's message", async () => {
    await writeFile(join(dir, "labels.yaml"), "kind: Label\nname: banana\n");
    const result = await cli(["policy", "push", dir], VIEWER_TOKEN);
    expect(result).toEqual({ code: 1, stdout: "", stderr: "flowzone: bob@eng has the role viewer; changes need the role privacy-admin\n" });
  });
});
