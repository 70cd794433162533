// Re-drive of quarantined records (issue 13, item 4) on the shared broker and PostgreSQL: a real
// enforcer quarantines records of two enforced zones; the zones are opened through the control
// plane's HTTP API (a flip to logging, an exception); `POST /v1/routes/{route}/redrive` and
// `flowzone quarantine redrive` forward what is now allowed to the route's target exactly once,
// audited with the asker, and a second re-drive forwards nothing; what is still denied or
// undecidable stays. A crashed earlier re-drive's open transaction is fenced, never counted, and
// records of aborted transactions in quarantine are never examined.
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { run } from "@flowzone/cli";
import { signatureId } from "@flowzone/control";
import { quarantineRedrive, startControlService, type RedriveJson, type RunningControlService } from "@flowzone/control-service";
import { startEnforcer, type RunningEnforcer, type Route } from "@flowzone/enforcer";
import { createKafka } from "@flowzone/kafka";
import { createLogger } from "@flowzone/logging";
import type { AuditRecord } from "@flowzone/proto";

import { startHarness, type Harness } from "../control-core/control-harness";
import { ADMIN_TOKEN, TOKENS, VIEWER_TOKEN } from "../control-api/control-api-harness";
import { decodeAudit, header, testTopics, waitForEnforcerCaughtUp } from "../enforcer/enforcer-harness";
import { testBrokers, uniqueTopic } from "../support/kafka";
import { collectingLogger } from "../support/logger";
import { waitUntil } from "../support/poll";
import { step } from "../support/steps";
import { readCommittedExactly, readToEnd } from "../support/topic-tail";
import { createTopics, produce } from "../support/topics";

const topics = testTopics("redrive");
const ledgerTopic = uniqueTopic("redrive-ledger");
const route: Route = { name: topics.from, from: topics.from, to: topics.to, quarantine: topics.quarantine, producer: "svc:enricher" };
const observer: Route = { name: `${topics.from}-observer`, from: topics.from, to: undefined, quarantine: undefined, producer: "svc:observer" };

/** banana (logging) on the source topic; health and vault enforced: records carrying either are quarantined. */
const BUNDLE = `
kind: Label
name: banana
---
kind: Label
name: health
---
kind: Label
name: secret
---
kind: Asset
id: kafka:${topics.from}
labels: [banana]
---
kind: Zone
name: banana
protects: [banana]
members: [kafka:banana-*]
mode: logging
---
kind: Zone
name: health
protects: [health]
members: [kafka:health-*]
mode: enforcement
---
kind: Zone
name: vault
protects: [secret]
members: [kafka:vault-*]
mode: enforcement
`;

/** The violation ids (backlog signatures) the quarantined records carry. */
const healthViolation = signatureId({ zone: "health", rule: "boundary", producer: route.producer, sink: `kafka:${topics.to}`, labels: ["health"] });

/** A client whose kafkajs logging is silenced: the enforcer's, and the fenced re-drive's (whose failing commit kafkajs logs). */
const quietKafka = createKafka({ brokers: testBrokers(), clientId: "redrive-test", logger: createLogger({ level: "fatal" }) });

let h: Harness | undefined;
let enforcer: RunningEnforcer | undefined;
let service: RunningControlService | undefined;
let withoutRoutes: RunningControlService | undefined;

afterAll(async () => {
  await enforcer?.close();
  await service?.close(1000);
  await withoutRoutes?.close(1000);
  await h?.stop();
}, 60_000);

async function post(on: RunningControlService | undefined, urlPath: string, body: unknown, token: string = ADMIN_TOKEN): Promise<{ status: number; json: unknown }> {
  if (on === undefined) throw new Error("no control service running");
  const response = await fetch(`http://127.0.0.1:${on.httpPort}${urlPath}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text === "" ? undefined : (JSON.parse(text) as unknown) };
}

async function cli(argv: string[], token: string = ADMIN_TOKEN): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { FLOWZONE_CONTROL_URL: `http://127.0.0.1:${service?.httpPort ?? 0}`, FLOWZONE_TOKEN: token },
  });
  return { code, stdout, stderr };
}

function redriven(records: readonly AuditRecord[]): AuditRecord[] {
  return records.filter((r) => r.event.case === "redriven");
}

const RUN = { timeoutMs: 60_000 };

describe("flowzone quarantine redrive", () => {
  it("forwards what the policy now allows exactly once, audited with the asker, and leaves what it still denies", async () => {
    await step("an enforcer quarantines 3 health, 2 vault, 1 health+vault and 1 undecidable record, and forwards 1", async () => {
      h = await startHarness();
      await h.running.controlPlane.pushPolicy({ "bundle.yaml": BUNDLE }, { subject: "seed" });
      await createTopics(h.kafka, [topics.from], { partitions: 2 });
      const policyDir = await mkdtemp(path.join(os.tmpdir(), "flowzone-redrive-policy-"));
      await writeFile(path.join(policyDir, "bundle.yaml"), BUNDLE);
      enforcer = await startEnforcer({ kafka: quietKafka, routes: [route], policyDir, logger: createLogger({ level: "warn" }), auditTopic: h.auditTopic, sessionTimeoutMs: 6000 });
      await produce(h.kafka, topics.from, [
        { key: "h0", value: "health-0", headers: { "flowzone-labels": "health", "x-trace": "t-0" } },
        { key: "h1", value: "health-1", headers: { "flowzone-labels": "health" } },
        { key: "h2", value: "health-2", headers: { "flowzone-labels": "health", "flowzone-purpose": "care" } },
        { key: "s0", value: "secret-0", headers: { "flowzone-labels": "secret" } },
        { key: "s1", value: "secret-1", headers: { "flowzone-labels": "secret" } },
        { key: "hs", value: "both", headers: { "flowzone-labels": "health,secret" } },
        { key: "bad", value: "undeclared", headers: { "flowzone-labels": "nope" } },
        { key: "ok", value: "plain", headers: {} },
      ]);
      await waitForEnforcerCaughtUp(h.kafka, route);
      const quarantined = await readToEnd(h.kafka, topics.quarantine);
      expect(quarantined.map((m) => m.key?.toString()).sort()).toEqual(["bad", "h0", "h1", "h2", "hs", "s0", "s1"]);
      expect((await readToEnd(h.kafka, topics.to)).map((m) => m.key?.toString())).toEqual(["ok"]);
      // Three interleaved transactions of quarantine-shaped records, aborted (as an enforcer's
      // chunk is after a fault): a re-drive must never examine or forward them.
      const headers = quarantined.find((m) => m.key?.toString() === "h1")?.headers ?? {};
      const ghosts = await Promise.all([0, 1, 2].map(async (i) => {
        const producer = quietKafka.producer({ transactionalId: `${topics.from}-ghost-${i}`, idempotent: true, maxInFlightRequests: 1 });
        await producer.connect();
        return { producer, transaction: await producer.transaction(), i };
      }));
      for (const { transaction, i } of ghosts) {
        await transaction.send({ topic: topics.quarantine, messages: [0, 1].map((partition) => ({ partition, key: `ghost-${i}-${partition}`, value: "ghost", headers })) });
      }
      for (const { producer, transaction } of ghosts) {
        await transaction.abort();
        await producer.disconnect();
      }
    }, { timeoutMs: 90_000 });

    await step("a control service with the routes, and one without", async () => {
      if (h === undefined) throw new Error("no harness");
      const harness = h;
      const { logger } = collectingLogger();
      const common = { controlPlane: harness.running.controlPlane, host: "127.0.0.1", httpPort: 0, grpcPort: 0, tokens: TOKENS, logger };
      const redrive = quarantineRedrive({
        kafka: harness.kafka,
        routes: [route, observer],
        routesFile: "routes.yaml",
        policyInForce: () => harness.running.service.policyInForce(),
        logger,
        auditTopic: harness.auditTopic,
        ledgerTopic,
      });
      service = await startControlService({ ...common, redrive });
      withoutRoutes = await startControlService(common);
      return Promise.resolve();
    });

    await step("refused: a viewer (403), an unknown route named (404), no routes file (409), an observe-only route (409), bad bodies (400)", async () => {
      const viewer = await post(service, `/v1/routes/${route.name}/redrive`, {}, VIEWER_TOKEN);
      expect(viewer).toMatchObject({ status: 403, json: { error: { code: "permission_denied", message: "bob@eng has the role viewer; changes need the role privacy-admin" } } });
      const unknown = await post(service, "/v1/routes/no-such-route/redrive", {});
      expect(unknown).toMatchObject({ status: 404, json: { error: { code: "not_found", message: `no route is named "no-such-route" in the routes file routes.yaml; its routes are ${route.name}, ${observer.name}` } } });
      const noRoutes = await post(withoutRoutes, `/v1/routes/${route.name}/redrive`, {});
      expect(noRoutes).toMatchObject({ status: 409, json: { error: { code: "failed_precondition", message: expect.stringContaining("without the enforcer's routes file; set FLOWZONE_ROUTES") as unknown } } });
      const observeOnly = await post(service, `/v1/routes/${observer.name}/redrive`, {});
      expect(observeOnly).toMatchObject({ status: 409, json: { error: { code: "failed_precondition", message: expect.stringContaining("it only observes") as unknown } } });
      expect(await post(service, `/v1/routes/${route.name}/redrive`, { violation: healthViolation, since: "2030-01-01T00:00:00Z" })).toMatchObject({ status: 400, json: { error: { field: "since" } } });
      expect(await post(service, `/v1/routes/${route.name}/redrive`, { violation: "health" })).toMatchObject({ status: 400, json: { error: { field: "violation" } } });
      expect(await post(service, `/v1/routes/${route.name}/redrive`, { since: "yesterday" })).toMatchObject({ status: 400, json: { error: { field: "since" } } });
      expect(await post(service, `/v1/routes/${route.name}/redrive`, { zone: "health" })).toMatchObject({ status: 400, json: { error: { field: "zone" } } });
    }, RUN);

    await step("before anything changed: a crashed re-drive's open transaction is fenced and not counted; everything is still denied", async () => {
      if (h === undefined) throw new Error("no harness");
      // A re-drive that died mid-transaction: its ledger record is written but never committed.
      await createTopics(h.kafka, [ledgerTopic], { config: { "cleanup.policy": "compact" } });
      const zombie = quietKafka.producer({ transactionalId: `flowzone-redrive-${route.name}`, idempotent: true, maxInFlightRequests: 1 });
      await zombie.connect();
      const open = await zombie.transaction();
      await open.send({ topic: ledgerTopic, messages: Array.from({ length: 2 }, (_, p) => ({ key: `${topics.quarantine}/${p}/0`, value: "{}" })) });
      const result = await post(service, `/v1/routes/${route.name}/redrive`, {});
      expect(result).toEqual({ status: 200, json: { route: route.name, examined: 7, redriven: 0, alreadyRedriven: 0, stillDenied: 6, unreadable: 1, skipped: 0 } });
      await expect(open.commit()).rejects.toThrow();
      await zombie.disconnect();
      expect(await post(service, `/v1/routes/${route.name}/redrive`, { since: new Date(Date.now() + 3_600_000).toISOString() })).toMatchObject({ status: 200, json: { examined: 0 } });
      expect((await readToEnd(h.kafka, topics.to)).map((m) => m.key?.toString())).toEqual(["ok"]);
    }, RUN);

    await step("health flipped to logging; --violation <health> forwards the 3 health records, not the one vault still denies", async () => {
      const flip = await post(service, "/v1/zones/health/flip", { to: "logging", reason: "clinic feed approved" });
      expect(flip.status).toBe(200);
      const result = await post(service, `/v1/routes/${route.name}/redrive`, { violation: healthViolation });
      expect(result).toEqual({ status: 200, json: { route: route.name, examined: 7, redriven: 3, alreadyRedriven: 0, stillDenied: 1, unreadable: 0, skipped: 3 } });
    }, RUN);

    await step("an exception for vault; flowzone quarantine redrive forwards the rest and prints a table", async () => {
      const grant = await post(service, "/v1/zones/vault/exceptions", {
        producer: route.producer,
        sink: `kafka:${topics.to}`,
        justification: "vault export signed off",
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      });
      expect(grant.status).toBe(201);
      const result = await cli(["quarantine", "redrive", route.name]);
      expect(result.stderr).toBe(`flowzone quarantine redrive: re-driving route ${route.name}; this answers when every quarantined record was examined\n`);
      expect(result.code).toBe(0);
      const lines = result.stdout.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^ROUTE\s+EXAMINED\s+REDRIVEN\s+ALREADY REDRIVEN\s+STILL DENIED\s+UNREADABLE\s+SKIPPED$/);
      expect(lines[1]).toMatch(new RegExp(`^${route.name}\\s+7\\s+3\\s+3\\s+0\\s+1\\s+0$`));
    }, RUN);

    await step("a second re-drive forwards nothing: every record is already re-driven (--json)", async () => {
      const result = await cli(["quarantine", "redrive", route.name, "--json"]);
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.stdout) as RedriveJson;
      expect(summary).toEqual({ route: route.name, examined: 7, redriven: 0, alreadyRedriven: 6, stillDenied: 0, unreadable: 1, skipped: 0 });
    }, RUN);

    await step("the target holds each re-driven record once, as the enforcer would have forwarded it; each is audited with the asker", async () => {
      if (h === undefined) throw new Error("no harness");
      const out = await readToEnd(h.kafka, topics.to);
      expect(out.map((m) => m.key?.toString()).sort()).toEqual(["h0", "h1", "h2", "hs", "ok", "s0", "s1"]);
      const quarantined = await readCommittedExactly(h.kafka, topics.quarantine);
      for (const message of out.filter((m) => m.key?.toString() !== "ok")) {
        const original = quarantined.find((q) => q.key?.toString() === message.key?.toString());
        const [, partition, offset] = (header(original, "flowzone-origin") ?? "").split("/").slice(-3);
        expect(header(message, "flowzone-decision")).toBe(`${route.name}:${partition}:${offset}`);
        expect(message.value?.toString()).toBe(original?.value?.toString());
        expect(header(message, "flowzone-violations")).toBeUndefined();
        expect(header(message, "flowzone-origin")).toBeUndefined();
        expect(header(message, "flowzone-sources")).toBe(`kafka:${topics.from}`);
      }
      const h0 = out.find((m) => m.key?.toString() === "h0");
      expect({ labels: header(h0, "flowzone-labels"), trace: header(h0, "x-trace") }).toEqual({ labels: "banana,health", trace: "t-0" });
      expect(header(out.find((m) => m.key?.toString() === "h2"), "flowzone-purpose")).toBe("care");
      expect(header(out.find((m) => m.key?.toString() === "hs"), "flowzone-labels")).toBe("banana,health,secret");

      const audits = redriven((await readToEnd(h.kafka, h.auditTopic)).map(decodeAudit));
      expect(audits).toHaveLength(6);
      expect(new Set(audits.map((a) => a.id)).size).toBe(6);
      for (const audit of audits) {
        if (audit.event.case !== "redriven") continue;
        expect(audit.event.value).toMatchObject({ route: route.name, target: topics.to, actor: "alice@privacy", producer: route.producer, sink: `kafka:${topics.to}` });
        expect(audit.event.value.quarantined?.topic).toBe(topics.quarantine);
        expect(audit.event.value.origin?.topic).toBe(topics.from);
        expect(audit.id).toBe(`redrive/${topics.quarantine}/${audit.event.value.quarantined?.partition}/${audit.event.value.quarantined?.offset}`);
      }
      expect(audits.map((a) => a.zone).sort()).toEqual(["health", "health", "health", "health", "vault", "vault"].sort());
      const ledger = await readToEnd(h.kafka, ledgerTopic);
      expect(ledger.map((m) => m.key?.toString()).sort()).toEqual(audits.map((a) => a.id.replace(/^redrive\//, "")).sort());
      // The undecidable record is still in quarantine, and the quarantine topic is as the enforcer left it (the aborted ghosts are no records).
      expect(quarantined.map((m) => m.key?.toString()).sort()).toEqual(["bad", "h0", "h1", "h2", "hs", "s0", "s1"]);
    }, RUN);

    await step("the backlog consumed the redriven audit records without an error", async () => {
      if (h === undefined) throw new Error("no harness");
      const harness = h;
      const records = await readToEnd(harness.kafka, harness.auditTopic);
      const lastByPartition = new Map<number, number>();
      for (const m of records) lastByPartition.set(m.partition, Math.max(lastByPartition.get(m.partition) ?? 0, Number(m.offset) + 1));
      await waitUntil(
        "the backlog to store offsets past every audit record",
        async () => new Map((await harness.db.query<{ partition: number; next_offset: string }>("SELECT partition, next_offset FROM consumed_offsets WHERE topic = $1", [harness.auditTopic])).map((r) => [r.partition, Number(r.next_offset)])),
        (stored) => [...lastByPartition].every(([partition, next]) => (stored.get(partition) ?? 0) >= next),
        { timeoutMs: 30_000 },
      );
      expect(harness.lines.filter((line) => typeof line["level"] === "number" && line["level"] >= 50)).toEqual([]);
    }, { timeoutMs: 40_000 });

    await step("the CLI: an unknown route exits 1 naming it, --violation with --since exits 2", async () => {
      const unknown = await cli(["quarantine", "redrive", "no-such-route"]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain(`no route is named "no-such-route" in the routes file routes.yaml`);
      const both = await cli(["quarantine", "redrive", route.name, "--violation", healthViolation, "--since", "1h"]);
      expect(both).toMatchObject({ code: 2, stdout: "" });
      expect(both.stderr).toContain("give --violation or --since, not both");
      const badSince = await cli(["quarantine", "redrive", route.name, "--since", "last tuesday"]);
      expect(badSince.code).toBe(2);
      expect(badSince.stderr).toContain("--since must be an RFC 3339 time such as 2030-01-31T12:00:00Z or a duration ago such as 90m or 7d, not 'last tuesday'");
      const lastHour = await cli(["quarantine", "redrive", route.name, "--since", "1h", "--json"]);
      expect({ code: lastHour.code, summary: JSON.parse(lastHour.stdout) as unknown }).toEqual({
        code: 0,
        summary: { route: route.name, examined: 7, redriven: 0, alreadyRedriven: 6, stillDenied: 0, unreadable: 1, skipped: 0 },
      });
      const viewer = await cli(["quarantine", "redrive", route.name], VIEWER_TOKEN);
      expect(viewer.code).toBe(1);
      expect(viewer.stderr).toContain("changes need the role privacy-admin");
    }, RUN);
  }, 600_000);
});
