import { randomUUID } from "node:crypto";

import { formatBundleError, parseBundle, PolicyEngine, type Mode, type SourceFile, type Zone } from "@flowzone/engine";
import type { Logger } from "@flowzone/logging";

import { insertBundle } from "./bundle-store";
import type { Clock } from "./clock";
import { ControlError } from "./control-error";
import { drainWindowStartMs, forecastDrain } from "./drain-forecast";
import type {
  Actor,
  ControlPlane,
  ExceptionRequest,
  ExceptionView,
  FlipRequest,
  FlippedZone,
  FlowList,
  FlowListQuery,
  AuditRecordView,
  DecisionPointList,
  FlipView,
  ViolationQuery,
  ViolationView,
  WhatIfRequest,
  WhatIfView,
  ZoneDetail,
  ZoneHistory,
  ZoneView,
} from "./control-plane";
import { controlRecordBytes } from "./control-topic-limit";
import { encodeControlAudit, type ControlAuditEvent } from "./convert-audit";
import { controlKey, encodeControlChange, type ControlChange } from "./convert-control";
import type { Database, Queryable } from "./database";
import { currentEpoch, lockControl, nextEpoch } from "./epoch-store";
import { AUDIT_WINDOW_PER_ZONE, recentAuditEntries } from "./audit-window-store";
import { listDecisionPoints } from "./decision-point-store";
import { listFlows } from "./flow-store";
import { withZones, zoneReach } from "./flow-zones";
import { activeExceptions, endException, getException, insertException, type StoredException } from "./exception-store";
import type { OutboxPublisher } from "./outbox-publisher";
import { enqueueRecords, type OutboxRecord } from "./outbox-store";
import { PolicyCache, toFileMap, type CurrentPolicy } from "./policy-cache";
import { FLIP_GUARD_WINDOW_MS, whatIfOnStore } from "./policy-what-if";
import { computeReadiness, type ZoneReadiness } from "./readiness";
import { judge, remediationEngine } from "./reevaluate";
import { checkException, checkFlip } from "./request-checks";
import {
  addRemediation,
  backlogStats,
  type BacklogStats,
  getSignature,
  listSignatures,
  markSignatureFixed,
  openSignatures,
  resolveSignatures,
} from "./signature-store";
import { storedRuntimeState, toZoneException } from "./stored-runtime-state";
import { validBundle } from "./valid-bundle";
import { backlogHistory, topOpenFlows } from "./zone-backlog-store";
import { flipHistory, recordFlip, runtimeModes } from "./zone-store";

/** Options for {@link ControlPlaneService}. */
export interface ControlPlaneServiceOptions {
  readonly database: Database;
  /** Publishes what each change stored in the outbox, after its commit. */
  readonly outbox: Pick<OutboxPublisher, "drain">;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Who the control plane's own changes (autoEnforce, expiry) are attributed to. Default `flowzone`. */
  readonly systemActor?: string;
  /**
   * The control topic's `max.message.bytes`: a change with a control record larger than it is
   * refused before commit, since Kafka would refuse the record and followers never hear of it.
   */
  readonly controlTopicMaxBytes: number;
}

/** How many flips and flows a zone's detail shows. */
const HISTORY_LIMIT = 50;
const TOP_FLOWS_LIMIT = 10;
/**
 * How long a change's answer waits for its records to reach Kafka. Past it the change stands (it
 * is committed) and the outbox publishes it when Kafka answers again; the caller is not told
 * otherwise, since telling it "failed" would be the very lie the outbox exists to prevent.
 */
const PUBLISH_WAIT_MS = 5_000;
/** Largest `limit` a violation listing accepts. */
export const MAX_VIOLATION_LIMIT = 1000;
/** Largest `limit` a flow listing accepts. */
export const MAX_FLOW_LIMIT = 1000;
/** Most days a zone's history reaches back. */
export const MAX_HISTORY_DAYS = 365;
/** Largest `limit` a flip listing accepts. */
export const MAX_FLIP_LIMIT = 1000;

interface FlipIntent {
  readonly to: Mode;
  readonly reason: string;
  readonly force: boolean;
  readonly automatic: boolean;
  readonly actor: string;
}

/**
 * The control plane's domain, on PostgreSQL. Every change runs in one transaction under the
 * control lock: checked and stored together with its control and audit records (the outbox),
 * then published after it commits. A change that cannot be stored is not made and no follower
 * hears of it (the caller gets `unavailable`); a committed change reaches both topics, if not at
 * once then from the outbox.
 */
export class ControlPlaneService implements ControlPlane {
  private readonly db: Database;
  private readonly policy = new PolicyCache();
  private readonly log: Logger;
  private readonly systemActor: string;

  constructor(private readonly options: ControlPlaneServiceOptions) {
    this.db = options.database;
    this.log = options.logger.child({ component: "control-plane" });
    this.systemActor = options.systemActor ?? "flowzone";
  }

  /**
   * Makes sure a bundle is in force: keeps the last pushed one, else stores `files` (the bundle
   * directory given at start) as the first push. Safe when several replicas start together.
   */
  async seed(files: readonly SourceFile[] | undefined, source: string): Promise<void> {
    if ((await this.policy.current(this.db)) !== undefined) {
      this.log.info({ source }, "serving the last pushed bundle from the store; the bundle directory only seeds an empty store");
      return;
    }
    const result = parseBundle(files ?? []);
    if (!result.ok) {
      throw new ControlError("invalid_policy", `the bundle in ${source} does not load`, { errors: result.errors.map(formatBundleError) });
    }
    await this.db.transaction(async (tx) => {
      await lockControl(tx);
      if ((await this.policy.current(tx)) !== undefined) return;
      const epoch = await nextEpoch(tx);
      await insertBundle(tx, { version: result.bundle.digest, files: toFileMap(files ?? []), actor: `seed:${source}`, atMs: this.now(), epoch });
    });
    this.log.info({ source, version: result.bundle.digest }, "store seeded with the bundle directory");
  }

  async listZones(): Promise<ZoneView[]> {
    const policy = await this.requirePolicy();
    const modes = await runtimeModes(this.db);
    return (await this.zoneStates(this.db, policy, policy.bundle.zones, modes)).map((state) => state.view);
  }

  async getZone(name: string): Promise<ZoneDetail> {
    const policy = await this.requirePolicy();
    const zone = this.findZone(policy, name);
    const { view, readiness } = await this.zoneState(this.db, policy, zone, await runtimeModes(this.db));
    return {
      ...view,
      readiness: {
        ready: readiness.ready,
        blockers: readiness.blockers,
        decisionsInQuietPeriod: readiness.decisionsInQuietPeriod,
        quietPeriodEndsAt: readiness.quietPeriodEndsAt,
      },
      topOpenFlows: await topOpenFlows(this.db, name, TOP_FLOWS_LIMIT),
      exceptions: (await activeExceptions(this.db, this.now(), name)).map(toExceptionView),
      history: await this.flipViews(name, HISTORY_LIMIT),
    };
  }

  async listViolations(zone: string, query: ViolationQuery): Promise<ViolationView[]> {
    this.findZone(await this.requirePolicy(), zone);
    if (!["open", "resolved", "all"].includes(query.status)) {
      throw new ControlError("invalid_argument", `status ${JSON.stringify(query.status)} is not one of open, resolved, all`);
    }
    checkWhole("limit", query.limit, MAX_VIOLATION_LIMIT);
    return listSignatures(this.db, zone, query.status, query.limit, query.after);
  }

  async zoneHistory(zone: string, days: number): Promise<ZoneHistory> {
    this.findZone(await this.requirePolicy(), zone);
    checkWhole("days", days, MAX_HISTORY_DAYS);
    return { zone, days: await backlogHistory(this.db, zone, days, this.now()) };
  }

  async listFlips(zone: string, limit: number): Promise<FlipView[]> {
    this.findZone(await this.requirePolicy(), zone);
    checkWhole("limit", limit, MAX_FLIP_LIMIT);
    return this.flipViews(zone, limit);
  }

  async listAuditRecords(zone: string, limit: number): Promise<AuditRecordView[]> {
    this.findZone(await this.requirePolicy(), zone);
    checkWhole("limit", limit, AUDIT_WINDOW_PER_ZONE);
    return (await recentAuditEntries(this.db, zone, limit)).map((entry) => ({
      recordId: entry.recordId,
      at: new Date(entry.atMs),
      kind: entry.kind,
      producer: entry.producer,
      sink: entry.sink,
      labels: entry.labels,
      enforced: entry.enforced,
      enforcementPoint: entry.enforcementPoint,
      reporter: entry.reporter,
      subject: entry.subject,
      policyVersion: entry.policyVersion,
      summary: entry.summary,
    }));
  }

  async listDecisionPoints(): Promise<DecisionPointList> {
    const policy = await this.requirePolicy();
    const currentPolicyVersion = `${policy.bundle.digest}@${await currentEpoch(this.db)}`;
    const points = await listDecisionPoints(this.db);
    return { currentPolicyVersion, decisionPoints: points.map((point) => ({ ...point, upToDate: point.policyVersion === currentPolicyVersion })) };
  }

  /**
   * A zone filter needs each flow's zones, which come from the policy rather than the store: with
   * one, the store answers every flow of the window that could touch the zone (its labels, or
   * sources carrying them) and the exact filter and the limit apply after.
   */
  async listFlows(query: FlowListQuery): Promise<FlowList> {
    const policy = await this.requirePolicy();
    const reach = query.zone === undefined ? undefined : zoneReach(policy.bundle, this.findZone(policy, query.zone));
    checkWhole("limit", query.limit, MAX_FLOW_LIMIT);
    if (!(query.windowMs > 0)) throw new ControlError("invalid_argument", "since must be a duration longer than 0");
    const untilMs = this.now();
    const sinceMs = untilMs - query.windowMs;
    const { zone, label, sink, producer } = query;
    const flows = withZones(policy.bundle, await listFlows(this.db, { sinceMs, label, sink, producer, touching: reach, limit: zone === undefined ? query.limit : undefined }));
    return {
      flows: (zone === undefined ? flows : flows.filter((flow) => flow.zones.includes(zone))).slice(0, query.limit),
      window: { since: new Date(sinceMs), until: new Date(untilMs) },
    };
  }

  async flip(name: string, request: FlipRequest, actor: Actor): Promise<FlippedZone> {
    const zone = this.findZone(await this.requirePolicy(), name);
    const { to, reason, force } = checkFlip(request);
    return this.applyFlip(zone, { to, reason, force, automatic: false, actor: actor.subject });
  }

  async grantException(zoneName: string, request: ExceptionRequest, actor: Actor): Promise<ExceptionView> {
    const policy = await this.requirePolicy();
    this.findZone(policy, zoneName);
    const nowMs = this.now();
    const { maxExceptionLifetimeMs, maxFieldBytes } = policy.bundle.defaults;
    const checked = checkException(request, nowMs, { maxLifetimeMs: maxExceptionLifetimeMs, maxFieldBytes });
    const exception: ExceptionView = {
      id: randomUUID(),
      zone: zoneName,
      producer: checked.producer,
      sink: checked.sink,
      justification: checked.justification,
      approver: actor.subject,
      expiresAt: new Date(checked.expiresAt.getTime()),
      createdAt: new Date(nowMs),
    };
    const resolved = await this.change(async (tx, epoch, policyNow) => {
      const current = required(policyNow);
      await insertException(tx, exception, epoch);
      // Only this exception: the signatures it covers are resolved by it, and say so.
      const engine = remediationEngine(current.bundle, [toZoneException(exception)]);
      const covered = (await openSignatures(tx, zoneName)).filter(
        (signature) => signature.rule === "boundary" && judge(engine, signature, nowMs) === "clear",
      );
      const ids = await resolveSignatures(
        tx,
        covered.map((signature) => signature.id),
        "exception",
        { actor: actor.subject, text: `exception ${exception.id}: ${exception.justification}`, atMs: nowMs },
        epoch,
      );
      return {
        result: ids,
        changes: [{ item: exceptionItem(exception), epoch }],
        audits: [{ kind: "exception_granted", ...exceptionAudit(exception, actor.subject) }],
      };
    });
    this.log.info({ zone: zoneName, exception: exception.id, actor: actor.subject, resolved: resolved.length }, "exception granted");
    return exception;
  }

  async revokeException(id: string, actor: Actor): Promise<void> {
    const stored = await getException(this.db, id);
    if (stored === undefined) throw new ControlError("not_found", `no exception has id "${id}"`);
    await this.endExceptions([stored], actor.subject, false);
  }

  async markFixed(violationId: string, note: string, actor: Actor): Promise<ViolationView> {
    const signature = await getSignature(this.db, violationId);
    if (signature === undefined) throw new ControlError("not_found", `no violation has id "${violationId}"`);
    const text = typeof note === "string" ? note.trim() : "";
    const nowMs = this.now();
    await this.change(async (tx) => {
      await markSignatureFixed(tx, violationId, signature.zone, nowMs);
      await addRemediation(tx, violationId, "fixed", { actor: actor.subject, text, atMs: nowMs });
      const { id, zone, rule, producer, sink, labels } = signature;
      return {
        result: undefined,
        changes: [],
        audits: [{ kind: "violation_fixed", zone, violationId: id, rule, producer, sink, labels, note: text, actor: actor.subject }],
      };
    }, { bumpsEpoch: false });
    const fixed = await getSignature(this.db, violationId);
    if (fixed === undefined) throw new ControlError("not_found", `no violation has id "${violationId}"`);
    return fixed;
  }

  async pushPolicy(files: Readonly<Record<string, string>>, actor: Actor): Promise<{ version: string }> {
    const bundle = validBundle(files);
    const nowMs = this.now();
    const resolved = await this.change(async (tx, epoch) => {
      await insertBundle(tx, { version: bundle.digest, files: { ...files }, actor: actor.subject, atMs: nowMs, epoch });
      // Policy alone decides: exceptions resolve what they cover under their own name.
      const engine = remediationEngine(bundle, []);
      const allowed = (await openSignatures(tx)).filter((signature) => judge(engine, signature, nowMs) !== "violated");
      const ids = await resolveSignatures(
        tx,
        allowed.map((signature) => signature.id),
        "policy_change",
        { actor: actor.subject, text: `policy ${bundle.digest}`, atMs: nowMs },
        epoch,
      );
      return {
        result: ids,
        changes: [{ item: { kind: "bundle", version: bundle.digest, files: { ...files } }, epoch }],
        audits: [{ kind: "policy_pushed", version: bundle.digest, actor: actor.subject, fileCount: Object.keys(files).length }],
        version: bundle.digest,
      };
    });
    this.log.info({ version: bundle.digest, actor: actor.subject, resolved: resolved.length }, "policy pushed");
    return { version: bundle.digest };
  }

  async whatIf(request: WhatIfRequest): Promise<WhatIfView> {
    return whatIfOnStore(this.db, await this.requirePolicy(), request, this.now());
  }

  /**
   * The policy in force now (bundle, runtime zone modes, active exceptions) as an engine, for
   * work that decides as the decision points do (a quarantine re-drive).
   * @throws ControlError `unavailable` before any bundle was pushed
   */
  async policyInForce(): Promise<PolicyEngine> {
    const policy = await this.requirePolicy();
    return PolicyEngine.compile(policy.bundle, await storedRuntimeState(this.db, this.now()));
  }

  /** Ends exceptions whose expiry has passed: tombstoned on the control topic, audited as expired. */
  async expireExceptions(due: readonly StoredException[]): Promise<void> {
    if (due.length > 0) await this.endExceptions(due, this.systemActor, true);
  }

  /**
   * Flips an `autoEnforce` zone to enforcement when it is ready, as an automatic flip. A zone a
   * person flipped last is left alone: a manual rollback is a decision the tick must not undo.
   */
  async autoEnforce(): Promise<string[]> {
    const policy = await this.requirePolicy();
    const modes = await runtimeModes(this.db);
    const flipped: string[] = [];
    for (const zone of policy.bundle.zones) {
      if (!zone.autoEnforce || (modes.get(zone.name) ?? zone.mode) === "enforcement") continue;
      const last = (await flipHistory(this.db, zone.name, 1))[0];
      if (last !== undefined && !last.automatic) continue;
      const { readiness } = await this.zoneState(this.db, policy, zone, modes);
      if (!readiness.ready) continue;
      const reason = `autoEnforce: drained, with ${readiness.decisionsInQuietPeriod} decisions in the quiet period`;
      try {
        await this.applyFlip(zone, { to: "enforcement", reason, force: false, automatic: true, actor: this.systemActor });
        flipped.push(zone.name);
      } catch (error) {
        if (!(error instanceof ControlError && error.code === "not_drained")) throw error;
      }
    }
    return flipped;
  }

  /** The longest quiet period of the policy in force (decision buckets must reach that far back). */
  async longestQuietPeriodMs(): Promise<number> {
    const policy = await this.policy.current(this.db);
    if (policy === undefined) return 0;
    return Math.max(policy.bundle.defaults.quietPeriodMs, ...policy.bundle.zones.map((zone) => zone.quietPeriodMs));
  }

  /**
   * Publishes the whole current state (bundle, runtime zone modes, active exceptions) at a new
   * epoch, so followers converge after a restart even if a publish was lost before it, and
   * tombstones every key of `keysOnTopic` (the live keys of the control topic) the store does not
   * know: a zone mode or an exception followers would otherwise keep applying.
   */
  async republish(keysOnTopic: ReadonlySet<string> = new Set()): Promise<{ epoch: number; tombstoned: string[] }> {
    // Not size-checked: the state is already committed. A stored item the topic no longer takes
    // (its limit was lowered) is set aside by the outbox rather than stopping the start.
    return this.change(async (tx, epoch, policyNow) => {
      const current = required(policyNow);
      const changes: ControlChange[] = [{ item: { kind: "bundle", version: current.bundle.digest, files: current.files }, epoch }];
      for (const [zone, mode] of await runtimeModes(tx)) changes.push({ item: { kind: "zone_mode", zone, mode }, epoch });
      for (const exception of await activeExceptions(tx, this.now())) changes.push({ item: exceptionItem(exception), epoch });
      const known = new Set(changes.map((change) => controlKey(change.item)));
      const tombstoned = [...keysOnTopic].filter((key) => !known.has(key)).sort();
      return { result: { epoch, tombstoned }, changes, audits: [], tombstones: tombstoned };
    }, { sizeChecked: false });
  }

  private async applyFlip(zone: Zone, intent: FlipIntent): Promise<FlippedZone> {
    const nowMs = this.now();
    const flowsNewlyDenied = intent.to === "enforcement" ? await this.flowsNewlyDenied(zone.name, nowMs) : 0;
    const done = await this.change(async (tx, epoch, policyNow) => {
      const current = required(policyNow);
      const modes = await runtimeModes(tx);
      const from = modes.get(zone.name) ?? zone.mode;
      if (intent.to === "enforcement" && !intent.force) {
        const { readiness } = await this.zoneState(tx, current, zone, modes);
        if (!readiness.ready) {
          throw new ControlError(
            "not_drained",
            `zone ${zone.name} is not ready for enforcement: ${readiness.blockers.join("; ")}`,
            { blockers: readiness.blockers, flowsNewlyDenied },
          );
        }
      }
      if (from === intent.to) return { result: false, changes: [], audits: [], skipEpoch: true };
      const flip = { zone: zone.name, from, to: intent.to, actor: intent.actor, reason: intent.reason, forced: intent.force, automatic: intent.automatic, at: new Date(nowMs), epoch };
      await recordFlip(tx, flip);
      return {
        result: true,
        changes: [{ item: { kind: "zone_mode", zone: zone.name, mode: intent.to }, epoch }],
        audits: [{ kind: "zone_flip", zone: zone.name, from, to: intent.to, actor: intent.actor, reason: intent.reason, forced: intent.force, automatic: intent.automatic, epoch }],
      };
    });
    this.log.info({ zone: zone.name, to: intent.to, actor: intent.actor, forced: intent.force, automatic: intent.automatic, changed: done, flowsNewlyDenied }, "zone flip");
    const policy = await this.requirePolicy();
    return { ...(await this.zoneState(this.db, policy, zone, await runtimeModes(this.db))).view, flowsNewlyDenied };
  }

  /**
   * The flip guard's count: inventoried flows of the last 7 days that the zone in enforcement
   * would newly deny. Taken before the flip's transaction, so it holds no lock while it reads the
   * inventory; a change committed in between may move it, which a forecast tolerates.
   */
  private async flowsNewlyDenied(zone: string, nowMs: number): Promise<number> {
    const candidate = { flip: { zone, to: "enforcement" as const } };
    return (await whatIfOnStore(this.db, await this.requirePolicy(), { candidate, windowMs: FLIP_GUARD_WINDOW_MS }, nowMs)).flowsNewlyDenied;
  }

  private async endExceptions(exceptions: readonly StoredException[], actor: string, expired: boolean): Promise<void> {
    const nowMs = this.now();
    const ended = await this.change(async (tx, epoch) => {
      const changes: ControlChange[] = [];
      const audits: ControlAuditEvent[] = [];
      for (const exception of exceptions) {
        if (!(await endException(tx, exception.id, { actor, atMs: nowMs, expired }))) continue;
        changes.push({ item: { kind: "exception_revoked", id: exception.id }, epoch });
        audits.push({ kind: expired ? "exception_expired" : "exception_revoked", ...exceptionAudit(exception, actor) });
      }
      return { result: changes.length, changes, audits, skipEpoch: changes.length === 0 };
    });
    if (ended > 0) this.log.info({ count: ended, actor, expired }, expired ? "exceptions expired" : "exception revoked");
  }

  /**
   * One control change: lock, new epoch, `work`, its records into the outbox, commit, then publish
   * (waiting at most {@link PUBLISH_WAIT_MS}). `work` may say `skipEpoch` when it changed nothing
   * (the epoch drawn is then simply unused, and nothing is published). Unless `sizeChecked` is
   * false, a change with a control record the control topic would refuse is rolled back
   * (`payload_too_large`): committed, it would stay first in the outbox, never published.
   */
  private async change<T>(
    work: (tx: Queryable, epoch: number, policy: CurrentPolicy | undefined) => Promise<{
      result: T;
      changes: readonly ControlChange[];
      audits: readonly ControlAuditEvent[];
      skipEpoch?: boolean;
      version?: string;
      /** Control-topic keys to tombstone (republish only). */
      tombstones?: readonly string[];
    }>,
    { bumpsEpoch = true, sizeChecked = true }: { bumpsEpoch?: boolean; sizeChecked?: boolean } = {},
  ): Promise<T> {
    let result: T;
    try {
      result = await this.db.transaction(async (tx) => {
        let epoch = await lockControl(tx);
        const policy = await this.policy.current(tx);
        if (bumpsEpoch) epoch = await nextEpoch(tx);
        const outcome = await work(tx, epoch, policy);
        if (outcome.skipEpoch === true) throw new NothingChanged(outcome.result);
        const timeMs = this.now();
        const version = `${outcome.version ?? policy?.bundle.digest ?? "none"}@${epoch}`;
        const records: OutboxRecord[] = [
          ...outcome.changes.map((change) => ({ target: "control" as const, ...encodeControlChange(change) })),
          ...(outcome.tombstones ?? []).map((key) => ({ target: "control" as const, key, value: null })),
          ...outcome.audits.map((event) => ({ target: "audit" as const, ...encodeControlAudit(event, timeMs, version) })),
        ];
        if (sizeChecked) this.refuseOversized(records);
        await enqueueRecords(tx, records, timeMs);
        return outcome.result;
      });
    } catch (error) {
      if (error instanceof NothingChanged) return error.result as T;
      if (error instanceof ControlError) throw error;
      throw new ControlError("unavailable", "the change could not be stored; nothing was changed", {}, { cause: error });
    }
    await this.publishCommitted();
    return result;
  }

  private refuseOversized(records: readonly OutboxRecord[]): void {
    const limit = this.options.controlTopicMaxBytes;
    for (const record of records) {
      if (record.target !== "control") continue;
      const bytes = controlRecordBytes(record.key, record.value);
      if (bytes > limit) {
        throw new ControlError(
          "payload_too_large",
          `the control record "${record.key}" of this change is ${bytes} bytes, more than the control topic accepts (max.message.bytes ${limit}); nothing was changed`,
        );
      }
    }
  }

  /** Waits (boundedly) for the outbox to publish what just committed; a failure is the outbox loop's to retry. */
  private async publishCommitted(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => {
        resolve("late");
      }, PUBLISH_WAIT_MS);
    });
    try {
      const outcome = await Promise.race([this.options.outbox.drain(), late]);
      if (outcome === "late") this.log.warn({ waitedMs: PUBLISH_WAIT_MS }, "a committed change is not on Kafka yet; the outbox keeps publishing it");
    } catch (error) {
      this.log.warn({ err: error }, "a committed change could not be published yet; the outbox retries it");
    } finally {
      clearTimeout(timer);
    }
  }

  private async zoneState(db: Queryable, policy: CurrentPolicy, zone: Zone, modes: ReadonlyMap<string, Mode>): Promise<{ view: ZoneView; readiness: ZoneReadiness }> {
    const [state] = await this.zoneStates(db, policy, [zone], modes);
    if (state === undefined) throw new Error(`no backlog numbers for zone ${zone.name}`);
    return state;
  }

  /** The zones' views and readiness, their backlog numbers read in one statement. */
  private async zoneStates(
    db: Queryable,
    policy: CurrentPolicy,
    zones: readonly Zone[],
    modes: ReadonlyMap<string, Mode>,
  ): Promise<{ view: ZoneView; readiness: ZoneReadiness }[]> {
    const nowMs = this.now();
    const stats = await backlogStats(db, zones.map((zone) => ({ zone: zone.name, quietPeriodMs: zone.quietPeriodMs })), nowMs, drainWindowStartMs(nowMs));
    return zones.map((zone, i) => {
      const zoneStats = stats[i];
      if (zoneStats === undefined) throw new Error(`no backlog numbers for zone ${zone.name}`);
      return this.zoneStateOf(policy, zone, modes, nowMs, zoneStats);
    });
  }

  private zoneStateOf(
    policy: CurrentPolicy,
    zone: Zone,
    modes: ReadonlyMap<string, Mode>,
    nowMs: number,
    stats: BacklogStats,
  ): { view: ZoneView; readiness: ZoneReadiness } {
    const readiness = computeReadiness({ nowMs, quietPeriodMs: zone.quietPeriodMs, ...stats });
    const mode = modes.get(zone.name) ?? zone.mode;
    const view: ZoneView = {
      name: zone.name,
      mode,
      effectiveMode: policy.bundle.defaults.enabled ? mode : "off",
      failMode: zone.failMode ?? policy.bundle.defaults.failMode,
      openViolations: stats.openSignatures,
      violationsNotStored: stats.violationsNotStored,
      lastViolationAt: stats.lastViolationAtMs === null ? null : new Date(stats.lastViolationAtMs),
      drained: readiness.drained,
      readyToEnforce: readiness.ready,
      owners: zone.owners,
      drain: forecastDrain({ nowMs, ...stats }),
    };
    return { view, readiness };
  }

  private async flipViews(zone: string, limit: number): Promise<FlipView[]> {
    return (await flipHistory(this.db, zone, limit)).map(({ from, to, actor, reason, forced, automatic, at }) => ({ from, to, actor, reason, forced, automatic, at }));
  }

  private async requirePolicy(db: Queryable = this.db): Promise<CurrentPolicy> {
    const policy = await this.policy.current(db);
    if (policy === undefined) throw new ControlError("unavailable", "no policy bundle has been pushed yet");
    return policy;
  }

  private findZone(policy: CurrentPolicy, name: string): Zone {
    const zone = policy.bundle.zones.find((candidate) => candidate.name === name);
    if (zone === undefined) throw new ControlError("not_found", `no zone is named "${name}"`);
    return zone;
  }

  private now(): number {
    return this.options.clock.now();
  }
}

/** A count a query asks for: a whole number from 1 to `max`, else `invalid_argument` naming it. */
function checkWhole(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) throw new ControlError("invalid_argument", `${name} must be a whole number from 1 to ${max}`);
}

function required(policy: CurrentPolicy | undefined): CurrentPolicy {
  if (policy === undefined) throw new ControlError("unavailable", "no policy bundle has been pushed yet");
  return policy;
}

/** Rolls back a transaction that turned out to change nothing, carrying its result out. */
class NothingChanged extends Error {
  constructor(readonly result: unknown) {
    super("nothing changed");
  }
}

function toExceptionView(exception: StoredException): ExceptionView {
  const { id, zone, producer, sink, justification, approver, expiresAt, createdAt } = exception;
  return { id, zone, producer, sink, justification, approver, expiresAt, createdAt };
}

function exceptionItem(exception: ExceptionView): ControlChange["item"] {
  return { kind: "exception", ...toZoneException(exception) };
}

function exceptionAudit(exception: ExceptionView, actor: string): {
  zone: string;
  exceptionId: string;
  producer: string;
  sink: string;
  justification: string;
  expiresAtMs: number;
  actor: string;
} {
  return {
    zone: exception.zone,
    exceptionId: exception.id,
    producer: exception.producer,
    sink: exception.sink,
    justification: exception.justification,
    expiresAtMs: exception.expiresAt.getTime(),
    actor,
  };
}
