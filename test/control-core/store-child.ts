/**
 * Runs steps against the built control package's store and facade in a plain node process, on the
 * PostgreSQL server or on embedded PGlite: PGlite loads parts of itself with a dynamic import(),
 * which jest's module sandbox refuses (without --experimental-vm-modules), so a test that must
 * hold on both stores sends its steps here and asserts on the answers. `npm test` builds first.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { waitUntil } from "../support/poll";
import { TestProcess } from "../support/processes";
import { BUNDLE } from "./control-support";

const CONTROL_DIST = join(__dirname, "..", "..", "packages", "control", "dist", "index.js");

/** Where the child opens its store. */
export type StoreTarget = { readonly databaseUrl: string; readonly schema: string } | { readonly dataDir: string };

/**
 * One step: audit records stored as the backlog consumer stores them (the next offsets of one
 * partition), a facade method called (a `{"$date": iso}` argument becomes a Date), a query, or
 * the tick's refresh of the planner's statistics (answered with the tables it analyzed).
 */
export type StoreStep =
  | { readonly consume: readonly { readonly value: Buffer }[] }
  | { readonly call: string; readonly args: readonly unknown[] }
  | { readonly sql: string }
  | { readonly refreshPlannerStatistics: true };

const SCRIPT = `
  const control = require(${JSON.stringify(CONTROL_DIST)});
  const { target, nowMs, bundle, steps } = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  const logger = { child: () => logger, info() {}, warn() {}, error() {}, debug() {} };
  const revive = (value) => value !== null && typeof value === "object" && "$date" in value ? new Date(value.$date)
    : value !== null && typeof value === "object" ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)])) : value;
  (async () => {
    const db = await control.openDatabase({ ...target, logger });
    const clock = { now: () => nowMs };
    const service = new control.ControlPlaneService({ database: db, outbox: { drain: async () => 0 }, logger, clock, controlTopicMaxBytes: 1000000 });
    await service.seed(Object.entries(bundle).map(([path, content]) => ({ path, content })), "test");
    const answers = [];
    let offset = 0;
    for (const step of steps) {
      if (step.consume !== undefined) {
        const records = step.consume.map((value) => ({ offset: String(offset++), ...control.decodeAuditRecord(Buffer.from(value, "base64"), 0) }));
        const batch = { topic: "audit", partition: 0, clusterId: "c1", highWatermark: String(offset), records };
        answers.push(await control.applyBacklogBatch(db, batch, nowMs, control.DEFAULT_MAX_OPEN_SIGNATURES_PER_ZONE).then((o) => o.added));
      } else if (step.call !== undefined) {
        answers.push(await service[step.call](...step.args.map(revive)));
      } else if (step.refreshPlannerStatistics !== undefined) {
        answers.push(await control.refreshPlannerStatistics(db, logger));
      } else {
        answers.push(await db.query(step.sql));
      }
    }
    if (target.schema !== undefined) await db.query("DROP SCHEMA " + JSON.stringify(target.schema) + " CASCADE");
    await db.close();
    process.stdout.write(JSON.stringify(answers));
  })().catch((error) => { console.error(error); process.exit(1); });`;

/**
 * Runs `steps` on a fresh store seeded with the test bundle, at the fixed time `nowMs`, and
 * returns each step's answer as JSON would carry it (times as ISO strings).
 */
export async function runOnStore(target: StoreTarget, nowMs: number, steps: readonly StoreStep[]): Promise<unknown[]> {
  const input = JSON.stringify({
    target,
    nowMs,
    bundle: BUNDLE,
    steps: steps.map((step) => ("consume" in step ? { consume: step.consume.map((record) => record.value.toString("base64")) } : step)),
  });
  const dir = await mkdtemp(join(tmpdir(), "flowzone-store-steps-"));
  try {
    await writeFile(join(dir, "steps.json"), input);
    const child = TestProcess.start("the store script", process.execPath, ["-e", SCRIPT, join(dir, "steps.json")], { env: process.env });
    const exit = await child.exited;
    if (exit.code !== 0) throw new Error(`the store script exited with ${JSON.stringify(exit)}\n${child.output()}`);
    // A child's output may still be arriving when its exit is reported: wait until it parses.
    return await waitUntil("the store script's answers on its stdout", () => JSON.parse(child.stdout) as unknown[], () => true, { timeoutMs: 5_000, intervalMs: 20 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
