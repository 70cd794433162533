// The privacy console in a real browser (Debian's chromium through playwright-core) against the
// real control plane on the jest Kafka broker and PostgreSQL: a viewer sees the zones and cannot
// act; an admin sees a new violation appear without reloading, marks it fixed, is refused an
// unforced flip and sees the server's blockers, forces the flip with a reason and rolls back;
// every change lands on the audit topic with the admin's subject. axe-core finds no serious or
// critical violation on any page, and each page's screenshot is kept under
// .flowzone/test-artifacts/console/ (FLOWZONE_UPDATE_DOCS_SCREENSHOTS=1 also refreshes the README's, docs/images/console-*.png).
import { encodeZoneTraffic } from "@flowzone/audit";
import { startControlService, type RunningControlService } from "@flowzone/control-service";
import type { Page } from "playwright-core";

import { ADMIN_TOKEN, TOKENS, VIEWER_TOKEN } from "../control-api/control-api-harness";
import { auditRecords, startHarness, type Harness } from "../control-core/control-harness";
import { violationRecord } from "../control-core/control-support";
import { collectingLogger } from "../support/logger";
import { waitUntil } from "../support/poll";
import { step } from "../support/steps";
import { produce } from "../support/topics";
import { launchBrowser, requireBuiltConsole, screenshot, seriousAccessibilityViolations, type Browser } from "./browser";

const LEAK = { zone: "banana", rule: "boundary", producer: "svc:checkout", sink: "kafka:ads", labels: ["banana"] };
const UI_STEP = { timeoutMs: 30_000 };

let h: Harness | undefined;
let service: RunningControlService | undefined;
let browser: Browser | undefined;
/** What the browser refused under the console's Content-Security-Policy: nothing, it is all same-origin. */
const cspViolations: string[] = [];

afterAll(async () => {
  await browser?.close();
  await service?.close(1000);
  await h?.stop();
});

function base(): string {
  if (service === undefined) throw new Error("no control service running");
  return `http://127.0.0.1:${service.httpPort}`;
}

/** A new tab signed in with `token`, on the zones overview. */
async function signIn(token: string): Promise<Page> {
  if (browser === undefined) throw new Error("no browser");
  const page = await browser.context.newPage();
  page.on("console", (message) => { if (message.text().includes("Content Security Policy")) cspViolations.push(message.text()); });
  await page.goto(`${base()}/ui/`);
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Zones", level: 1 }).waitFor();
  await page.locator("tr[data-zone=banana]").waitFor();
  return page;
}

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
  expect(cspViolations).toEqual([]);
}

async function audited(kind: string): Promise<{ actor: string; reason?: string; forced?: boolean; note?: string }[]> {
  if (h === undefined) throw new Error("no control plane");
  return (await auditRecords(h)).filter((record) => record.event.case === kind).map((record) => record.event.value as { actor: string });
}

describe("the privacy console in a browser", () => {
  it("shows a viewer everything and lets an admin remediate, flip behind the guard and roll back", async () => {
    let viewer: Page | undefined;
    let admin: Page | undefined;

    // On a fresh machine apt-get fetches chromium first (over 100 MB): a step, and a deadline, of its own.
    await step("start chromium, installed with apt-get when missing", async () => {
      requireBuiltConsole();
      browser = await launchBrowser();
    }, { timeoutMs: 600_000 });

    await step("start the control plane and its HTTP API", async () => {
      h = await startHarness();
      service = await startControlService({ controlPlane: h.running.controlPlane, host: "127.0.0.1", httpPort: 0, grpcPort: 0, tokens: TOKENS, logger: collectingLogger().logger });
    }, { timeoutMs: 120_000 });

    await step("a token the control plane does not know is refused, saying so", async () => {
      if (browser === undefined) throw new Error("no browser");
      const page = await browser.context.newPage();
      await page.goto(`${base()}/ui/zones/banana`);
      await page.getByLabel("API token").fill("not-a-token-of-the-file");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("alert").filter({ hasText: "Not signed in: the bearer token is not valid" }).waitFor();
      expect(await page.evaluate("sessionStorage.length")).toBe(0);
      await expectAccessible(page);
      await screenshot(page, "sign-in");
      await page.close();
    }, UI_STEP);

    await step("the viewer signs in and sees every zone with its status in words", async () => {
      viewer = await signIn(VIEWER_TOKEN);
      // Timed on a fresh load with the token already in the tab (printed for the record, not asserted).
      await viewer.reload();
      await viewer.locator("tr[data-zone=banana]").waitFor();
      const rendered = await viewer.evaluate(() => performance.getEntriesByName("flowzone-first-render")[0]?.startTime ?? -1);
      const firstRows = await viewer.evaluate(() => performance.now());
      process.stdout.write(`console: first render ${rendered.toFixed(0)} ms after navigation start; zones listed by ${firstRows.toFixed(0)} ms\n`);
      expect((await viewer.locator("tbody tr th").allTextContents()).sort()).toEqual(["apple", "banana"]);
      await viewer.getByLabel("Filter by zone, owner or status").fill("privacy-apple");
      expect(await viewer.locator("tbody tr th").allTextContents()).toEqual(["apple"]);
      await viewer.getByRole("button", { name: /^Zone/ }).click();
      await viewer.getByLabel("Filter by zone, owner or status").fill("");
      expect(await viewer.locator("tbody tr th").allTextContents()).toEqual(["apple", "banana"]);
      await viewer.getByRole("button", { name: /^Zone/ }).click();
      expect(await viewer.locator("tbody tr th").allTextContents()).toEqual(["banana", "apple"]);
      await expect(viewer.locator("tr[data-zone=banana] .badge").textContent()).resolves.toBe("Quiet");
      expect(await viewer.evaluate("sessionStorage.getItem('flowzone.token')")).toBe(VIEWER_TOKEN);
      expect(await viewer.evaluate("localStorage.length")).toBe(0);
      await expectAccessible(viewer);
      await screenshot(viewer, "zones", true);
    }, UI_STEP);

    await step("the viewer's zone page has every change control disabled, saying why", async () => {
      if (viewer === undefined) throw new Error("no viewer tab");
      await viewer.getByRole("link", { name: "banana" }).click();
      await viewer.getByRole("heading", { name: /Zone banana/ }).waitFor();
      const flip = viewer.getByRole("button", { name: "Flip the zone…" });
      expect(await flip.isDisabled()).toBe(true);
      expect(await viewer.getByRole("button", { name: "Grant exception" }).isDisabled()).toBe(true);
      expect(await viewer.locator("#flip-why").textContent()).toBe("Disabled: bob@eng has the role viewer; changes need the role privacy-admin.");
      expect(await flip.getAttribute("aria-describedby")).toBe("flip-why");
      await expectAccessible(viewer);
      await screenshot(viewer, "zone-viewer");
    }, UI_STEP);

    await step("the admin, on banana's page, sees a new violation appear without reloading", async () => {
      admin = await signIn(ADMIN_TOKEN);
      await admin.goto(`${base()}/ui/zones/banana`);
      await admin.getByText("No open violations.").waitFor();
      expect(await admin.getByRole("button", { name: "Flip the zone…" }).isEnabled()).toBe(true);
      // Marks this document: a reload would forget it.
      await admin.evaluate("window.unreloaded = true");
      if (h === undefined) throw new Error("no control plane");
      await produce(h.kafka, h.auditTopic, [violationRecord(LEAK, h.clock.now()), violationRecord(LEAK, h.clock.now())]);
      await admin.locator("[data-testid=violations] li").filter({ hasText: "svc:checkout → kafka:ads" }).waitFor({ timeout: 20_000 });
      expect(await admin.evaluate("window.unreloaded")).toBe(true);
      expect(await admin.getByTestId("sink-yaml").textContent()).toBe("kind: Zone\nname: banana\nmembers:\n  # add to the zone's existing members:\n  - kafka:ads\n");
      await expectAccessible(admin);
      await screenshot(admin, "zone-violation", true);
    }, UI_STEP);

    await step("the admin marks it fixed with a note; the fix is audited with the admin's subject", async () => {
      if (admin === undefined) throw new Error("no admin tab");
      await admin.getByLabel("Note").fill("checkout stopped sending banana to ads");
      await admin.getByRole("button", { name: "Mark fixed" }).click();
      await admin.getByText("No open violations.").waitFor();
      const fixes = await waitUntil("the fix on the audit topic", () => audited("violationFixed"), (found) => found.length === 1);
      expect(fixes[0]).toMatchObject({ actor: "alice@privacy", note: "checkout stopped sending banana to ads" });
    }, UI_STEP);

    await step("an unforced flip is refused and the dialog shows the server's blockers", async () => {
      if (admin === undefined) throw new Error("no admin tab");
      await admin.getByRole("button", { name: "Flip the zone…" }).click();
      const dialog = admin.getByRole("dialog", { name: "Flip zone banana" });
      await dialog.getByLabel("New mode").selectOption("enforcement");
      await dialog.getByLabel(/Reason/).fill("backlog looks clear");
      await dialog.getByRole("button", { name: "Flip to enforcement" }).click();
      await dialog.getByText("Refused: the zone is not drained.").waitFor();
      const shown = await dialog.getByTestId("flip-blockers").locator("li").allTextContents();
      const served = (await (await fetch(`${base()}/v1/zones/banana`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } })).json()) as { mode: string; readiness: { blockers: string[] } };
      expect(shown.length).toBeGreaterThan(0);
      expect(shown).toEqual(served.readiness.blockers);
      expect(served.mode).toBe("logging");
      await expectAccessible(admin);
      await screenshot(admin, "flip-refused", true);
    }, UI_STEP);

    await step("forcing it needs a reason and is recorded as forced", async () => {
      if (admin === undefined) throw new Error("no admin tab");
      const dialog = admin.getByRole("dialog", { name: "Flip zone banana" });
      await dialog.getByLabel(/Force the flip/).check();
      await dialog.getByLabel(/Reason/).fill("");
      await dialog.getByRole("button", { name: "Force flip to enforcement" }).click();
      // The browser refuses the empty reason before anything is sent.
      expect(await dialog.getByLabel(/Reason/).evaluate((input) => (input as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing)).toBe(true);
      await dialog.getByLabel(/Reason/).fill("launch deadline; the fix is deployed");
      await dialog.getByRole("button", { name: "Force flip to enforcement" }).click();
      await dialog.waitFor({ state: "detached" });
      const history = admin.getByTestId("flip-history");
      await history.getByText("launch deadline; the fix is deployed").waitFor();
      expect(await history.locator("tr", { hasText: "launch deadline" }).locator(".badge").textContent()).toBe("forced");
      const flips = await waitUntil("the forced flip on the audit topic", () => audited("zoneFlip"), (found) => found.length === 1);
      expect(flips[0]).toMatchObject({ actor: "alice@privacy", reason: "launch deadline; the fix is deployed", forced: true });
      await screenshot(admin, "zone-enforcing");
    }, UI_STEP);

    await step("rolling back to logging is one action with a reason", async () => {
      if (admin === undefined) throw new Error("no admin tab");
      await admin.getByLabel("Reason to roll back").fill("checkout errors in production");
      await admin.getByRole("button", { name: "Roll back to logging" }).click();
      await admin.getByTestId("flip-history").getByText("checkout errors in production").waitFor();
      await admin.getByText("Mode logging", { exact: false }).waitFor();
      const flips = await waitUntil("the rollback on the audit topic", () => audited("zoneFlip"), (found) => found.length === 2);
      expect(flips[1]).toMatchObject({ actor: "alice@privacy", reason: "checkout errors in production", forced: false });
      await expectAccessible(admin);
    }, UI_STEP);

    await step("an exception past the bundle's maximum is refused; one within it is listed with its time left", async () => {
      if (admin === undefined) throw new Error("no admin tab");
      const local = (days: number): string => {
        const at = new Date(Date.now() + days * 86_400_000);
        return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
      };
      await admin.getByLabel(/^Producer/).fill("svc:checkout");
      await admin.getByLabel(/^Sink/).fill("kafka:ads");
      await admin.getByLabel("Justification").fill("migration to the ads-clean topic");
      await admin.getByLabel(/^Expires/).fill(local(200));
      await admin.getByRole("button", { name: "Grant exception" }).click();
      await admin.getByRole("alert").filter({ hasText: /Refused: .*expiresAt/ }).waitFor();
      await admin.getByLabel(/^Expires/).fill(local(30));
      await admin.getByRole("button", { name: "Grant exception" }).click();
      await admin.getByTestId("exceptions").getByText("migration to the ads-clean topic").waitFor();
      expect(await admin.getByTestId("exceptions").locator("tbody td").nth(4).textContent()).toMatch(/^(29 d 23 h|30 d) left$/);
      const granted = await waitUntil("the exception on the audit topic", () => audited("exceptionGranted"), (found) => found.length === 1);
      expect(granted[0]).toMatchObject({ actor: "alice@privacy", producer: "svc:checkout", sink: "kafka:ads" });
      await screenshot(admin, "zone-admin");
    }, UI_STEP);

    await step("the decision points page", async () => {
      if (admin === undefined) throw new Error("no admin tab");
      await admin.getByRole("link", { name: "Decision points" }).click();
      await admin.getByRole("heading", { name: "Decision points", level: 1 }).waitFor();
      const inForce = await admin.locator("main p").filter({ hasText: "Policy version in force" }).locator("code").textContent();
      if (h === undefined || inForce === null || inForce === "none pushed yet") throw new Error(`no policy version in force on the page: ${String(inForce)}`);
      // Two reporters' zone traffic: a decision service on the policy in force, an enforcer one version behind.
      const now = h.clock.now();
      await produce(h.kafka, h.auditTopic, [
        encodeZoneTraffic({ zone: "banana", decisions: 40, windowStartMs: now - 60_000, windowEndMs: now, enforcementPoint: "decision_service", reporter: "pdp-a", policyVersion: inForce }),
        encodeZoneTraffic({ zone: "banana", decisions: 7, windowStartMs: now - 60_000, windowEndMs: now, enforcementPoint: "stream_enforcer", reporter: "enforcer-b", policyVersion: "sha256:stale" }),
      ]);
      const rows = admin.getByTestId("decision-points").locator("tbody tr");
      await waitUntil("both reporters listed", () => rows.count(), (count) => count === 2, { timeoutMs: 20_000, intervalMs: 250 });
      const tab = admin;
      const row = async (reporter: string): Promise<string[]> => tab.getByTestId("decision-points").locator("tbody tr").filter({ has: tab.getByRole("rowheader", { name: reporter }) }).locator("td").allTextContents();
      expect(await row("pdp-a")).toEqual(["decision_service", `${inForce} current`, expect.any(String), "banana"]);
      expect(await row("enforcer-b")).toEqual(["stream_enforcer", "sha256:stale lagging", expect.any(String), "banana"]);
      await expectAccessible(admin);
      await screenshot(admin, "decision-points");
    }, UI_STEP);
  }, 1_020_000);
});
