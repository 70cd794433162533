// A PostgreSQL outage under a running `flowzone control`: requests answer 503 unavailable (gRPC
// UNAVAILABLE), the process stays up through its pool's broken connections, and once the server
// is back the control plane serves, changes and counts again by itself. The server is a private
// one the test stops and starts; Kafka is a broker of the test's own, since the process uses the
// default topic names.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import * as grpc from "@grpc/grpc-js";
import { ListZonesRequestSchema, ListZonesResponseSchema } from "@flowzone/proto";
import { Kafka, logLevel } from "kafkajs";

import { grpcError, ZoneClient } from "../control-api/control-api-harness";
import { startOwnBroker, type OwnBroker } from "../support/own-broker";
import { waitUntil } from "../support/poll";
import { startPrivatePostgres, type PrivatePostgres } from "../support/private-postgres";
import { controlListeningPorts, TestProcess } from "../support/processes";
import { step } from "../support/steps";
import { getJson, openViolations } from "../support/control-http";
import { produce } from "../support/topics";
import { BUNDLE, trafficRecord, violationRecord } from "./control-support";

describe("the control plane through a PostgreSQL outage", () => {
  let pg: PrivatePostgres | undefined;
  let broker: OwnBroker | undefined;
  let control: TestProcess | undefined;
  let client: ZoneClient | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    client?.close();
    control?.signal("SIGTERM");
    await control?.exited;
    await pg?.dispose();
    await broker?.dispose();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("answers 503 unavailable while the database is down, stays up, and recovers by itself when it returns", async () => {
    const { base, kafka } = await step(
      "start a private PostgreSQL, a broker and flowzone control on them",
      async () => {
        [pg, broker] = await Promise.all([startPrivatePostgres(), startOwnBroker()]);
        dir = await mkdtemp(join(tmpdir(), "flowzone-outage-"));
        await Promise.all(Object.entries(BUNDLE).map(([file, content]) => writeFile(join(dir ?? "", file), content)));
        control = TestProcess.flowzone("flowzone control", ["control", "--policy", dir, "--home", join(dir, "home"), "--http-port", "0", "--grpc-port", "0"], {
          env: {
            DATABASE_URL: pg.url,
            FLOWZONE_KAFKA_BROKERS: broker.brokers,
            FLOWZONE_LOG_FORMAT: "json",
            FLOWZONE_DATABASE_CONNECT_TIMEOUT_MS: "1000",
          },
        });
        await control.waitFor("its listening line", (p) => controlListeningPorts(p.stdout) !== undefined, 90_000);
        const ports = controlListeningPorts(control.stdout);
        if (ports === undefined) throw new Error("no ports");
        client = new ZoneClient(`127.0.0.1:${ports.grpcPort}`);
        const brokers = broker.brokers;
        return { base: `http://127.0.0.1:${ports.httpPort}`, kafka: new Kafka({ clientId: "outage-test", brokers: [brokers], logLevel: logLevel.NOTHING }) };
      },
      { timeoutMs: 150_000 },
    );

    await step("the zones are served while the database is up", async () => {
      expect((await getJson(`${base}/v1/zones`)).status).toBe(200);
      expect(await openViolations(base, "banana")).toBe(0);
    });

    await step("stop PostgreSQL: HTTP answers 503 unavailable, gRPC UNAVAILABLE", async () => {
      await pg?.stop();
      const zones = await getJson(`${base}/v1/zones`);
      expect(zones.status).toBe(503);
      expect((zones.body["error"] as { code: string }).code).toBe("unavailable");
      const flip = await fetch(`${base}/v1/zones/banana/flip`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ to: "off", reason: "during the outage" }),
      });
      expect(flip.status).toBe(503);
      const error = await grpcError(client?.call("listZones", ListZonesRequestSchema, {}, undefined, ListZonesResponseSchema) ?? Promise.resolve());
      expect(error.code).toBe(grpc.status.UNAVAILABLE);
    });

    await step("the process is still up after its pool's connections broke, and says why requests fail", async () => {
      await control?.waitForStdout("PostgreSQL is unavailable");
      // Whether a connection was idle in the pool when the server went away (and so reports through
      // the pool's "error" event, which without a listener ends the process) depends on timing; the
      // process being alive below holds either way.
      // Violations keep arriving on the audit topic during the outage; the backlog must count them later.
      const nowMs = Date.now();
      await produce(kafka, "flowzone.audit.v1", [
        violationRecord({ zone: "banana", rule: "boundary", producer: "svc:banana-app", sink: "kafka:ads", labels: ["banana"] }, nowMs),
        trafficRecord("banana", 3, nowMs),
      ]);
      expect(control?.alive).toBe(true);
      expect((await getJson(`${base}/v1/zones`)).status).toBe(503);
    });

    await step(
      "start PostgreSQL again: requests succeed within a bounded wait, changes are made, and the backlog counts what arrived meanwhile",
      async () => {
        await pg?.start();
        await waitUntil("GET /v1/zones to answer 200 again", async () => (await getJson(`${base}/v1/zones`)).status, (status) => status === 200, { timeoutMs: 30_000 });
        const flip = await fetch(`${base}/v1/zones/banana/flip`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ to: "off", reason: "after the outage" }),
        });
        expect(flip.status).toBe(200);
        expect(((await flip.json()) as { mode: string }).mode).toBe("off");
        await waitUntil("the violation sent during the outage to be counted", () => openViolations(base, "banana"), (open) => open === 1, { timeoutMs: 60_000 });
        expect(control?.alive).toBe(true);
      },
      { timeoutMs: 120_000 },
    );
  }, 360_000);
});
