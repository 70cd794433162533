import type { Kafka } from "kafkajs";

import { readBundleDir, watchBundleDir, type BundleWatcher } from "@flowzone/bundle-source";
import { runtimeStateOf, type ControlFeedOptions, type ControlSnapshot } from "@flowzone/control-feed";
import type { PolicyEngine, SourceFile } from "@flowzone/engine";
import type { Logger } from "@flowzone/logging";

import { compilePolicy } from "./compile-policy";
import { ControlRejections, type ControlRejectionSummary } from "./control-rejections";
import { linkControlTopic, type ControlTopicLink } from "./control-topic-link";
import type { ControlTopicStatus } from "./control-topic-status";
import { PolicyLoadError } from "./policy-load-error";
import type { PolicyHolder } from "./policy-holder";

export interface PolicyRuntimeOptions {
  /** The bundle directory: read at start (it must be valid) and polled for edits. */
  readonly policyDir: string;
  readonly reloadIntervalMs: number;
  readonly logger: Logger;
  /** With a Kafka client, the control topic is followed: pushed bundles, zone flips, exceptions. */
  readonly kafka?: Kafka;
  /** Default flowzone.control.v1; tests give their own. */
  readonly controlTopic?: string;
  /**
   * `required` (the default): start fails when Kafka cannot be reached, and resolves only once
   * the control topic has been replayed. `optional`: start resolves either way; while Kafka is
   * unreachable the directory's bundle decides, `controlTopic()` says `waiting`, and the topic is
   * retried in the background (the decision service, which must answer during an outage).
   */
  readonly controlTopicAtStart?: "required" | "optional";
  /** Runs before each attempt to reach the control topic, as part of it (the decision service creates its audit topic). */
  readonly prepareKafka?: () => Promise<void>;
  /**
   * `FLOWZONE_CONTROL_VERIFY_KEYS`: given, only control records signed by one of these keys apply;
   * the others are skipped, logged and counted ({@link PolicyRuntime.controlRejections}), and the
   * last validly signed state stays in force. Undefined: every record applies.
   */
  readonly controlVerifyKeys?: ControlFeedOptions["verifyKeys"];
}

/** Called after the engine in force changed, with the engine it replaced. */
export type SwapListener = (previous: PolicyEngine, next: PolicyEngine) => void;

/** The engine in force for one decision point. */
export interface PolicyRuntime {
  readonly holder: PolicyHolder;
  /** Lets per-engine state (decision counts) be taken from an engine before it is dropped. */
  onSwap(listener: SwapListener): void;
  /** Reads the bundle directory now, as the watcher would on a change. */
  reload(): Promise<void>;
  /** Whether the control topic is off (no Kafka), not read yet, or read. */
  controlTopic(): ControlTopicStatus;
  /** Calls `listener` once the control topic has been read (at once if it has); never without Kafka. */
  onControlTopicRead(listener: () => void): void;
  /** The control records rejected for their signature since start, by reason, and the latest. */
  controlRejections(): ControlRejectionSummary;
  close(): Promise<void>;
}

/**
 * Starts the engine in force. Two sources feed it: the bundle directory, and (with Kafka) the
 * control topic. A bundle pushed through the control plane wins over the directory, whose
 * edits are then only validated and logged; zone modes and exceptions from the control topic
 * always apply, as a runtime state over whichever bundle is in force. Every change builds a new
 * engine and swaps one reference; a broken bundle from either source keeps the old engine in
 * force and logs each `file:line: message`. Resolves once the control topic has been replayed,
 * so the first decision is already made under the current state, or, with `controlTopicAtStart:
 * "optional"`, also when Kafka cannot be reached (see {@link PolicyRuntimeOptions}).
 *
 * @throws BundleDirError for an unreadable directory, PolicyLoadError for a broken bundle at start,
 *   and (control topic required) the Kafka error when the control topic cannot be read.
 */
export async function startPolicyRuntime(options: PolicyRuntimeOptions): Promise<PolicyRuntime> {
  const log = options.logger.child({ component: "policy" });
  const files = await readBundleDir(options.policyDir);
  const loaded = compilePolicy(files);
  if (!loaded.ok) throw new PolicyLoadError(options.policyDir, loaded.errors);

  let directoryEngine = loaded.engine;
  let pushed: { version: string; engine: PolicyEngine } | undefined;
  let snapshot: ControlSnapshot | undefined;
  const holder: PolicyHolder = { current: loaded.engine };
  const listeners: SwapListener[] = [];

  const install = (): void => {
    const base = pushed?.engine ?? directoryEngine;
    const next = snapshot === undefined ? base : base.withState(runtimeStateOf(snapshot));
    const previous = holder.current;
    if (next === previous) return;
    holder.current = next;
    if (next.version !== previous.version) log.info({ policyVersion: next.version, previousVersion: previous.version }, "policy in force changed");
    for (const listener of listeners) listener(previous, next);
  };

  const applyDirectory = (changed: readonly SourceFile[]): void => {
    const result = compilePolicy(changed);
    if (!result.ok) {
      rejected(log, "the policy directory", result.errors, holder.current.version);
      return;
    }
    directoryEngine = result.engine;
    if (pushed !== undefined) {
      log.info({ policyDir: options.policyDir, pushedVersion: pushed.version }, "policy directory changed, but a bundle pushed through the control plane is in force");
      return;
    }
    install();
  };

  const applySnapshot = (next: ControlSnapshot): void => {
    snapshot = next;
    const bundle = next.bundle;
    if (bundle !== undefined && bundle.version !== pushed?.version) {
      const result = compilePolicy(bundle.files);
      if (result.ok) pushed = { version: bundle.version, engine: result.engine };
      else rejected(log, `the pushed bundle ${bundle.version}`, result.errors, holder.current.version);
    }
    install();
  };

  const watcher: BundleWatcher = watchBundleDir(options.policyDir, {
    intervalMs: options.reloadIntervalMs,
    initial: files,
    onChange: applyDirectory,
    onError: (error) => {
      log.warn({ err: error, policyDir: options.policyDir }, "cannot read the policy directory; the previous version stays in force");
    },
  });

  const rejections = new ControlRejections(options.controlVerifyKeys !== undefined);
  let link: ControlTopicLink | undefined;
  if (options.kafka !== undefined) {
    try {
      link = await linkControlTopic({
        kafka: options.kafka,
        logger: options.logger,
        onChange: applySnapshot,
        verifyKeys: options.controlVerifyKeys,
        onRejected: (rejection) => {
          rejections.record(rejection);
        },
        required: (options.controlTopicAtStart ?? "required") === "required",
        ...(options.controlTopic === undefined ? {} : { topic: options.controlTopic }),
        ...(options.prepareKafka === undefined ? {} : { prepare: options.prepareKafka }),
      });
    } catch (error) {
      watcher.close();
      throw error;
    }
  }

  return {
    holder,
    onSwap: (listener) => {
      listeners.push(listener);
    },
    reload: async () => {
      applyDirectory(await readBundleDir(options.policyDir));
    },
    controlTopic: () => link?.status() ?? { state: "off" },
    onControlTopicRead: (listener) => {
      link?.onRead(listener);
    },
    controlRejections: () => rejections.summary(),
    close: async () => {
      watcher.close();
      await link?.close();
    },
  };
}

function rejected(log: Logger, source: string, errors: readonly string[], version: string): void {
  for (const error of errors) log.warn({ error }, error);
  log.warn({ policyVersion: version, errorCount: errors.length }, `${source} was rejected; the previous version stays in force`);
}
