/**
 * A real browser for the console tests: Debian's chromium (installed with apt-get when missing,
 * as the Kafka jars are fetched when missing) driven by playwright-core, never a downloaded
 * browser. Each launch gets a fresh profile; the flags keep Chromium from calling Google's
 * services, whose connections this closed network refuses.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
const CONSOLE_INDEX = join(__dirname, "..", "..", "packages", "console", "dist", "index.html");
/** Screenshots of every page, kept as test artifacts (gitignored). */
export const ARTIFACTS = join(__dirname, "..", "..", ".flowzone", "test-artifacts", "console");
/** The README's copies, written when FLOWZONE_UPDATE_DOCS_SCREENSHOTS=1. */
const DOCS_IMAGES = join(__dirname, "..", "..", "docs", "images");

const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Installs Debian's chromium when it is missing; fails saying what to do when that fails. */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const apt = (args: string[]): number => spawnSync("apt-get", args, { stdio: ["ignore", "inherit", "inherit"] }).status ?? 1;
  // A fresh machine may have no package lists yet: update once and try again.
  const status = apt(["install", "-y", "chromium"]) === 0 ? 0 : apt(["update"]) === 0 ? apt(["install", "-y", "chromium"]) : 1;
  if (status !== 0 || !existsSync(CHROMIUM)) {
    throw new Error(`the console tests need Debian's chromium at ${CHROMIUM}, and 'apt-get install -y chromium' failed (exit ${status}); install it as root and run again`);
  }
}

/** Fails saying how to build the console when its dist is missing (npm test builds it first). */
export function requireBuiltConsole(): void {
  if (!existsSync(CONSOLE_INDEX)) throw new Error(`the console is not built (${CONSOLE_INDEX} is missing): run npm run build first`);
}

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  ensureChromium();
  const profile = await mkdtemp(join(tmpdir(), "flowzone-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 } });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The page's serious and critical axe-core violations, as "rule: nodes" lines (none is the goal). */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated rather than added as a script tag: the console's Content-Security-Policy refuses
  // inline scripts, and the tests keep it enforced. Expressions, not functions: this file is
  // type-checked without the DOM's types.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate<{ id: string; impact: string | null; nodes: { target: unknown[] }[] }[]>("axe.run().then((result) => result.violations)");
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id} (${violation.impact ?? ""}): ${violation.nodes.map((node) => JSON.stringify(node.target)).join(" ")}`);
}

/** Saves the page's screenshot as a test artifact, and, for one the README shows, its copy when asked to. */
export async function screenshot(page: Page, name: string, inReadme = false): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  const image = await page.screenshot({ fullPage: true });
  await writeFile(join(ARTIFACTS, `${name}.png`), image);
  if (inReadme && process.env.FLOWZONE_UPDATE_DOCS_SCREENSHOTS === "1") {
    await mkdir(DOCS_IMAGES, { recursive: true });
    await writeFile(join(DOCS_IMAGES, `console-${name}.png`), image);
  }
}
