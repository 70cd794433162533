import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Decision, Mode } from "@flowzone/proto";
import type { CheckInit, Pdp } from "./pdp-harness";

import { waitFor } from "../support/poll";
import { BUNDLE, startPdp } from "./pdp-harness";

const leak: CheckInit = { producer: "svc:banana-app", sink: "svc:ads-ranker", labels: ["banana"] };
const BANANA_IN_LOGGING = (BUNDLE["zones/banana.yaml"] ?? "").replace("mode: enforcement", "mode: logging");
const REJECTED = "the policy directory was rejected; the previous version stays in force";

describe("decision service: hot reload", () => {
  let pdp: Pdp;

  beforeEach(async () => {
    pdp = await startPdp({ reloadIntervalMs: 50 });
  });

  afterEach(async () => {
    await pdp.stop();
  });

  it("picks up a good edit by itself: new version, new decisions", async () => {
    const before = pdp.service.policyVersion();
    expect((await pdp.client.check(leak)).decision).toBe(Decision.DENY);

    await writeFile(join(pdp.dir, "zones/banana.yaml"), BANANA_IN_LOGGING);
    await waitFor("the watcher to put the edit in force", () => pdp.service.policyVersion() !== before, { timeoutMs: 10_000, intervalMs: 10 });

    const after = await pdp.client.check(leak);
    expect(after.policyVersion).toBe(pdp.service.policyVersion());
    expect(after.policyVersion).not.toBe(before);
    expect(after.decision).toBe(Decision.ALLOW);
    expect(after.violations[0]).toMatchObject({ zone: "banana", mode: Mode.LOGGING, enforced: false });
    expect(pdp.lines).toContainEqual(expect.objectContaining({ msg: "policy in force changed", policyVersion: after.policyVersion, previousVersion: before }));
  });

  it("keeps the old bundle serving after a broken edit and logs every error as file:line", async () => {
    const before = pdp.service.policyVersion();
    // The watcher (every 50 ms) may read the directory between two writes: a broken file goes
    // first, so no state it can see is a valid bundle, and the other broken file goes last, so
    // only the whole edit has the errors of both.
    await writeFile(join(pdp.dir, "labels.yaml"), `${BUNDLE["labels.yaml"] ?? ""}colour: yellow\n`);
    await writeFile(join(pdp.dir, "zones/banana.yaml"), BANANA_IN_LOGGING);
    await writeFile(join(pdp.dir, "zones/broken.yaml"), "kind: Zone\nname: broken\nprotects: [nope]\n");
    await pdp.service.reload();

    expect(pdp.service.policyVersion()).toBe(before);
    const response = await pdp.client.check(leak);
    expect(response.policyVersion).toBe(before);
    expect(response.decision).toBe(Decision.DENY);

    const warnings = pdp.lines.filter((line) => line["level"] === 40).map((line) => String(line["msg"]));
    expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^zones\/broken\.yaml:\d+: /), expect.stringMatching(/^labels\.yaml:\d+: /)]));
    expect(warnings).toContainEqual(expect.stringContaining("previous version stays in force"));

    // The watcher sees the same broken content and must not swap either. It logs one rejection
    // per content it has not seen before, with its error count; reload() read the whole edit, the
    // content with the most errors, so the second rejection with that count is the watcher's.
    const rejections = (): number[] => pdp.lines.filter((line) => line["msg"] === REJECTED).map((line) => Number(line["errorCount"]));
    const errorsOfTheEdit = Math.max(...rejections());
    await waitFor("the watcher to read the broken edit and reject it", () => rejections().filter((count) => count === errorsOfTheEdit).length >= 2, { timeoutMs: 10_000, intervalMs: 10 });
    expect(pdp.service.policyVersion()).toBe(before);
    expect((await pdp.client.check(leak)).decision).toBe(Decision.DENY);
  });

  it("recovers when a broken edit is fixed", async () => {
    const before = pdp.service.policyVersion();
    await writeFile(join(pdp.dir, "zones/broken.yaml"), "kind: Zone\nname: broken\nprotects: [nope]\n");
    await pdp.service.reload();
    expect(pdp.service.policyVersion()).toBe(before);
    await rm(join(pdp.dir, "zones/broken.yaml"));
    await writeFile(join(pdp.dir, "zones/banana.yaml"), BANANA_IN_LOGGING);
    await pdp.service.reload();
    expect(pdp.service.policyVersion()).not.toBe(before);
    expect((await pdp.client.check(leak)).decision).toBe(Decision.ALLOW);
  });

  it("keeps serving when every policy file is removed", async () => {
    const before = pdp.service.policyVersion();
    for (const path of Object.keys(BUNDLE)) await rm(join(pdp.dir, path));
    await pdp.service.reload();
    expect(pdp.service.policyVersion()).toBe(before);
    expect((await pdp.client.check(leak)).decision).toBe(Decision.DENY);
  });

  it("keeps serving while the policy directory is gone", async () => {
    const before = pdp.service.policyVersion();
    await rm(pdp.dir, { recursive: true });
    await waitFor("the watcher to log that it cannot read the policy directory", () => pdp.lines.some((line) => String(line["msg"]).startsWith("cannot read the policy directory")), { timeoutMs: 10_000, intervalMs: 10 });
    expect((await pdp.client.check(leak)).policyVersion).toBe(before);
  });
});
