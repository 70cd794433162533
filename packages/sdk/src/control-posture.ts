import type { Kafka } from "kafkajs";

import { followControlTopic, runtimeStateOf, type ControlFeed, type ControlSnapshot } from "@flowzone/control-feed";
import type { FailMode, PolicyEngine, Write } from "@flowzone/engine";
import type { ControlVerifyKeys } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";
import { compilePolicy } from "@flowzone/policy-runtime";

import type { PostureAnswer, ZonePosture } from "./posture-answer";

/**
 * The zones' fail posture from the control topic, folded: the last bundle pushed there, compiled
 * with the same engine the decision service runs, under the topic's runtime state (zone modes).
 * The engine is kept for `failPosture(write)` alone; it never decides a write. A bundle that
 * does not compile keeps the previous one (as at every decision point); before any bundle has
 * been read, the posture is unknown and the producer's `failMode` option applies.
 */
export class ControlPosture {
  private base: { readonly version: string; readonly engine: PolicyEngine } | undefined;
  private rejectedVersion: string | undefined;
  private engine: PolicyEngine | undefined;

  constructor(
    private readonly topic: string,
    private readonly log: Logger,
  ) {}

  /** The policy version (`<bundle digest>@<epoch>`) the posture comes from; undefined before a bundle. */
  get policyVersion(): string | undefined {
    return this.engine?.version;
  }

  /** Takes the control topic's state now: a new bundle is compiled, zone modes and exceptions laid over it. */
  apply(snapshot: ControlSnapshot): void {
    const bundle = snapshot.bundle;
    if (bundle !== undefined && bundle.version !== this.base?.version && bundle.version !== this.rejectedVersion) {
      const compiled = compilePolicy(bundle.files);
      if (compiled.ok) {
        this.base = { version: bundle.version, engine: compiled.engine };
        this.rejectedVersion = undefined;
      } else {
        this.rejectedVersion = bundle.version;
        this.log.warn(
          { pushedVersion: bundle.version, policyVersion: this.engine?.version, errors: compiled.errors },
          "the bundle pushed on the control topic does not compile; the fail posture keeps the previous one",
        );
      }
    }
    if (this.base === undefined) return;
    const previous = this.engine?.version;
    this.engine = this.base.engine.withState(runtimeStateOf(snapshot));
    if (this.engine.version !== previous) this.log.debug({ policyVersion: this.engine.version, previousVersion: previous }, "zone fail posture follows a new policy version");
  }

  /**
   * `closed` as soon as one write touches a zone that fails closed; `open` when every write is
   * placed and none does; undefined before any bundle, or when a write names a label or source
   * the bundle does not know (the decision service would have refused it; its posture is not
   * the bundle's to tell).
   */
  postureOf(writes: readonly Write[]): PostureAnswer {
    const engine = this.engine;
    if (engine === undefined) return { posture: undefined, reason: `no policy bundle read from ${this.topic} yet, so the producer's failMode applies` };
    let unplaced = false;
    for (const write of writes) {
      let posture: FailMode;
      try {
        posture = engine.failPosture(write);
      } catch {
        unplaced = true;
        continue;
      }
      if (posture === "closed") return { posture, reason: `a zone it touches fails closed (policy ${engine.version})` };
    }
    if (unplaced) return { posture: undefined, reason: `policy ${engine.version} cannot place the write (an unknown label or source), so the producer's failMode applies` };
    return { posture: "open", reason: `every zone it touches fails open (policy ${engine.version})` };
  }
}

/**
 * Replays the control topic (resolving once it has caught up) and follows it, applying only
 * records signed by one of `verifyKeys` when given, with the same
 * follower as the embedded decider and every decision point.
 */
export async function startControlPosture(kafka: Kafka, topic: string, verifyKeys: ControlVerifyKeys | undefined, logger: Logger): Promise<ZonePosture> {
  const log = logger.child({ component: "zone-posture" });
  const posture = new ControlPosture(topic, log);
  let feed: ControlFeed | undefined;
  try {
    feed = await followControlTopic({ kafka, logger, topic, verifyKeys, onChange: (snapshot) => { posture.apply(snapshot); } });
    await feed.caughtUp;
  } catch (error) {
    await feed?.close().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`guarded producer: cannot follow the control topic ${topic} for the zones' fail posture (${reason}); give the producer read access to it, or set decider.followControlTopic: false to rely on failMode alone`, { cause: error });
  }
  const version = posture.policyVersion;
  if (version === undefined) log.info({ topic }, "no policy bundle on the control topic yet: until one arrives, a write the decision service cannot check takes the producer's failMode");
  else log.info({ topic, policyVersion: version }, "following the control topic for the zones' fail posture");
  const following = feed;
  return {
    postureOf: (writes) => posture.postureOf(writes),
    close: () => following.close(),
  };
}
