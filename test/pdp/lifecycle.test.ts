import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { DEFAULTS, PolicyLoadError, startDecisionService } from "@flowzone/pdp";
import type { DecisionServiceOptions } from "@flowzone/pdp";
import type { CheckRequest, CheckResponse } from "@flowzone/proto";

import { collectingLogger } from "../support/logger";
import { waitFor } from "../support/poll";
import { BUNDLE, DecisionClient, makeBundleDir, nextMessage, startPdp, streamStatus } from "./pdp-harness";

const request = (requestId: string): CheckRequest => ({
  $typeName: "flowzone.v1.CheckRequest",
  requestId,
  producer: "svc:banana-app",
  sink: "svc:banana-ranker",
  labels: ["banana"],
  sources: [],
  purpose: "",
});

function options(policyDir: string): DecisionServiceOptions {
  return { policyDir, host: "127.0.0.1", port: 0, reloadIntervalMs: 1000, limits: DEFAULTS.limits, logger: collectingLogger("debug").logger };
}

/** Whether a new TCP connection to the port on 127.0.0.1 is refused. */
function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => {
      resolve(true);
    });
  });
}

describe("decision service: start and close", () => {
  it("refuses to start on a broken bundle, listing every error as file:line", async () => {
    const dir = await makeBundleDir({
      ...BUNDLE,
      "labels.yaml": `${BUNDLE["labels.yaml"] ?? ""}colour: yellow\n`,
      "zones/broken.yaml": "kind: Zone\nname: broken\nprotects: [nope]\n",
    });
    try {
      const error: unknown = await startDecisionService(options(dir)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PolicyLoadError);
      const errors = (error as PolicyLoadError).errors;
      expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(/^labels\.yaml:\d+: /), expect.stringMatching(/^zones\/broken\.yaml:\d+: /)]));
      for (const line of errors) expect((error as Error).message).toContain(line);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses to start on a missing policy directory, naming it", async () => {
    const dir = join(tmpdir(), "flowzone-pdp-does-not-exist");
    await expect(startDecisionService(options(dir))).rejects.toThrow(dir);
  });

  it("refuses to start on a directory without policy files", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flowzone-pdp-empty-"));
    try {
      await expect(startDecisionService(options(dir))).rejects.toThrow("contains no *.yaml or *.yml files");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses impossible options", async () => {
    const dir = await makeBundleDir();
    try {
      await expect(startDecisionService({ ...options(dir), limits: { ...DEFAULTS.limits, maxBatch: 0 } })).rejects.toThrow("limits.maxBatch");
      await expect(startDecisionService({ ...options(dir), flowReportIntervalMs: -5 })).rejects.toThrow("flowReportIntervalMs: -5 must be a whole number of ms from 0 (flow reporting off) to 3600000");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("logs the port it got when asked for port 0", async () => {
    const pdp = await startPdp();
    try {
      expect(pdp.service.port).toBeGreaterThan(0);
      expect(pdp.lines).toContainEqual(expect.objectContaining({ msg: "decision service listening", port: pdp.service.port, component: "pdp" }));
    } finally {
      await pdp.stop();
    }
  });

  it("lets an in-flight stream finish on a graceful close, then refuses new calls", async () => {
    const pdp = await startPdp();
    const stream = pdp.client.stream();
    const status = streamStatus(stream);
    const first = nextMessage<CheckResponse>(stream);
    stream.write(request("before"));
    expect((await first).requestId).toBe("before");

    const closed = pdp.service.close(10_000);
    // The close is under way once the server stops taking connections; only then does the
    // open stream carry a request, so the request is answered during the close, not before it.
    await waitFor("the closing server to refuse new connections", () => refusesConnections(pdp.service.port), { timeoutMs: 5000, intervalMs: 10 });
    const second = nextMessage<CheckResponse>(stream);
    stream.write(request("during"));
    expect((await second).requestId).toBe("during");
    stream.end();
    expect((await status).code).toBe(grpc.status.OK);
    await closed;
    expect(pdp.lines).toContainEqual(expect.objectContaining({ msg: "decision service stopped", forced: false }));

    const late = new DecisionClient(pdp.address);
    await expect(late.check({ producer: "svc:a", sink: "svc:b" })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    late.close();
    await pdp.stop();
  });

  it("cuts off a stream that outlives the grace period", async () => {
    const pdp = await startPdp();
    const stream = pdp.client.stream();
    const status = streamStatus(stream);
    const first = nextMessage<CheckResponse>(stream);
    stream.write(request("r"));
    await first;
    const started = Date.now();
    await pdp.service.close(200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await status).code).not.toBe(grpc.status.OK);
    expect(pdp.lines).toContainEqual(expect.objectContaining({ msg: "decision service stopped", forced: true }));
    await pdp.stop();
  });
});
