/**
 * A stand-in for the control plane facade while the real one (PostgreSQL, Kafka) is built: the
 * same interface over plain maps, so the transport tests exercise the real HTTP and gRPC
 * servers against every answer the facade can give, errors included. Bundles are validated
 * with the real engine, so `invalid_policy` carries real `file:line` errors.
 */
import { ControlError, forecastDrain } from "@flowzone/control";
import type {
  Actor,
  AuditRecordView,
  ControlPlane,
  DecisionPointList,
  DecisionPointView,
  ExceptionRequest,
  ExceptionView,
  FlipRequest,
  FlippedZone,
  FlipView,
  FlowList,
  FlowListQuery,
  FlowView,
  ViolationQuery,
  ViolationView,
  WhatIfRequest,
  WhatIfView,
  ZoneDetail,
  ZoneHistory,
  ZoneView,
} from "@flowzone/control";
import { formatBundleError, parseBundle } from "@flowzone/engine";
import type { Mode } from "@flowzone/engine";

export interface ZoneState {
  name: string;
  mode: Mode;
  owners: string[];
  /** Blockers a flip to enforcement reports; empty means drained. */
  blockers: string[];
  lastViolationAt: Date | null;
  decisionsInQuietPeriod: number;
  /** Violations of signatures the zone had no room for. */
  violationsNotStored: number;
  history: FlipView[];
}

/** Every change the facade was asked for, with its actor: what the tests check auth against. */
export interface RecordedChange {
  readonly operation: string;
  readonly target: string;
  readonly actor: string;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

export class InMemoryControlPlane implements ControlPlane {
  readonly zones = new Map<string, ZoneState>();
  readonly violations = new Map<string, ViolationView>();
  readonly exceptions = new Map<string, ExceptionView>();
  /** The flow inventory, most traffic first. */
  readonly flows: FlowView[] = [];
  readonly changes: RecordedChange[] = [];
  /** What a flip to enforcement reports it would newly deny. */
  flowsNewlyDenied = 0;
  /** What every valid what-if answers (its window aside); the last request is kept in `whatIfAsked`. */
  whatIfAnswer: Omit<WhatIfView, "window"> = { newlyDenied: [], newlyAllowed: [], opened: [], resolved: [], invalid: [], flowsNewlyDenied: 0, flowsEvaluated: 0 };
  whatIfAsked: WhatIfRequest | undefined;
  /** Audit records of every zone, newest first. */
  readonly audit: (AuditRecordView & { zone: string })[] = [];
  readonly decisionPoints: DecisionPointView[] = [];
  currentPolicyVersion = "sha256:test@1";
  /** Set to make every call fail, as a broken database would. */
  failure: Error | undefined;
  private nextId = 1;

  /** Two zones: banana (3 open signatures, not drained) and email (drained). */
  static seeded(now = Date.now()): InMemoryControlPlane {
    const plane = new InMemoryControlPlane();
    plane.zones.set("banana", {
      name: "banana",
      mode: "logging",
      owners: ["privacy-banana"],
      blockers: ["2 violation signatures are still open", "the last violation was seen 3 minutes ago; the quiet period of 24h has not passed"],
      lastViolationAt: new Date(now - 3 * MINUTE),
      decisionsInQuietPeriod: 1200,
      violationsNotStored: 7,
      history: [],
    });
    plane.zones.set("email", { name: "email", mode: "logging", owners: ["privacy-crm"], blockers: [], lastViolationAt: null, decisionsInQuietPeriod: 50, violationsNotStored: 0, history: [] });
    for (const [id, sink, status] of [
      ["v-1", "kafka:export-daily", "open"],
      ["v-2", "svc:ads-ranker", "open"],
      ["v-3", "table:dw.bananas", "resolved"],
    ] as const) {
      plane.violations.set(id, {
        id,
        zone: "banana",
        rule: "boundary",
        producer: "svc:banana-app",
        sink,
        labels: ["banana"],
        firstSeen: new Date(now - 60 * MINUTE),
        lastSeen: new Date(now - 3 * MINUTE),
        count: 42,
        status,
        resolution: status === "open" ? null : "policy_change",
        reopened: 0,
      });
    }
    plane.flows.push({
      signature: "f".repeat(64),
      producer: "svc:banana-app",
      sink: "kafka:ads",
      labels: ["banana"],
      sources: [],
      purpose: "",
      zones: ["banana"],
      count: 420,
      firstSeen: new Date(now - 60 * MINUTE),
      lastSeen: new Date(now - 3 * MINUTE),
    });
    return plane;
  }

  listZones(): Promise<ZoneView[]> {
    return this.call(() => [...this.zones.values()].map((zone) => this.view(zone)));
  }

  getZone(zone: string): Promise<ZoneDetail> {
    return this.call(() => {
      const state = this.zone(zone);
      const open = this.openOf(zone);
      return {
        ...this.view(state),
        readiness: {
          ready: state.blockers.length === 0,
          blockers: [...state.blockers],
          decisionsInQuietPeriod: state.decisionsInQuietPeriod,
          quietPeriodEndsAt: state.lastViolationAt === null ? null : new Date(state.lastViolationAt.getTime() + 24 * 60 * MINUTE),
        },
        topOpenFlows: open.map((v) => ({ producer: v.producer, sink: v.sink, labels: v.labels, count: v.count })),
        exceptions: [...this.exceptions.values()].filter((e) => e.zone === zone),
        history: [...state.history],
      };
    });
  }

  listViolations(zone: string, query: ViolationQuery): Promise<ViolationView[]> {
    return this.call(() => {
      this.zone(zone);
      return [...this.violations.values()].filter((v) => v.zone === zone && (query.status === "all" || v.status === query.status)).slice(0, query.limit);
    });
  }

  flip(zone: string, request: FlipRequest, actor: Actor): Promise<FlippedZone> {
    return this.call(() => {
      const state = this.zone(zone);
      const flowsNewlyDenied = request.to === "enforcement" ? this.flowsNewlyDenied : 0;
      if (request.to === "enforcement" && state.blockers.length > 0 && !request.force) {
        throw new ControlError("not_drained", `zone ${zone} is not drained, so it cannot enforce yet`, { blockers: [...state.blockers], flowsNewlyDenied });
      }
      state.history.unshift({ from: state.mode, to: request.to, actor: actor.subject, reason: request.reason, forced: request.force, automatic: false, at: new Date() });
      state.mode = request.to;
      this.record("flip", zone, actor);
      return { ...this.view(state), flowsNewlyDenied };
    });
  }

  grantException(zone: string, request: ExceptionRequest, actor: Actor): Promise<ExceptionView> {
    return this.call(() => {
      this.zone(zone);
      if (!/^[a-z]+:\S+$/.test(request.producer)) throw new ControlError("invalid_argument", `producer pattern "${request.producer}" is not an asset id such as svc:banana-*`);
      const id = `ex-${this.nextId++}`;
      const exception = { id, zone, ...request, approver: actor.subject, createdAt: new Date() };
      this.exceptions.set(id, exception);
      this.record("grantException", zone, actor);
      return exception;
    });
  }

  revokeException(id: string, actor: Actor): Promise<void> {
    return this.call(() => {
      if (!this.exceptions.delete(id)) throw new ControlError("not_found", `no exception with id ${id}`);
      this.record("revokeException", id, actor);
    });
  }

  markFixed(violationId: string, _note: string, actor: Actor): Promise<ViolationView> {
    return this.call(() => {
      const violation = this.violations.get(violationId);
      if (violation === undefined) throw new ControlError("not_found", `no violation with id ${violationId}`);
      const fixed: ViolationView = { ...violation, status: "resolved", resolution: "fixed" };
      this.violations.set(violationId, fixed);
      this.record("markFixed", violationId, actor);
      return fixed;
    });
  }

  pushPolicy(files: Readonly<Record<string, string>>, actor: Actor): Promise<{ version: string }> {
    return this.call(() => {
      const result = parseBundle(Object.entries(files).map(([path, content]) => ({ path, content })));
      if (!result.ok) {
        throw new ControlError("invalid_policy", `the bundle has ${result.errors.length} errors`, { errors: result.errors.map(formatBundleError) });
      }
      this.record("pushPolicy", "bundle", actor);
      return { version: result.bundle.digest };
    });
  }

  whatIf(request: WhatIfRequest): Promise<WhatIfView> {
    return this.call(() => {
      if ("files" in request.candidate) {
        const result = parseBundle(Object.entries(request.candidate.files).map(([path, content]) => ({ path, content })));
        if (!result.ok) throw new ControlError("invalid_policy", `the bundle has ${result.errors.length} errors`, { errors: result.errors.map(formatBundleError) });
      } else {
        this.zone(request.candidate.flip.zone);
      }
      this.whatIfAsked = request;
      const until = new Date();
      return { ...this.whatIfAnswer, window: { since: new Date(until.getTime() - request.windowMs), until } };
    });
  }

  listFlows(query: FlowListQuery): Promise<FlowList> {
    return this.call(() => {
      if (query.zone !== undefined) this.zone(query.zone);
      const until = new Date();
      const since = new Date(until.getTime() - query.windowMs);
      const flows = this.flows.filter(
        (f) =>
          f.lastSeen >= since &&
          (query.zone === undefined || f.zones.includes(query.zone)) &&
          (query.label === undefined || f.labels.includes(query.label)) &&
          (query.sink === undefined || f.sink === query.sink) &&
          (query.producer === undefined || f.producer === query.producer),
      );
      return { flows: flows.slice(0, query.limit), window: { since, until } };
    });
  }

  zoneHistory(zone: string, days: number): Promise<ZoneHistory> {
    return this.call(() => {
      this.zone(zone);
      const open = this.openOf(zone).length;
      const today = Math.floor(Date.now() / DAY) * DAY;
      const history = Array.from({ length: days }, (_, i) => ({ date: new Date(today - (days - 1 - i) * DAY).toISOString().slice(0, 10), open, new: 0, resolved: 0 }));
      return { zone, days: history };
    });
  }

  listFlips(zone: string, limit: number): Promise<FlipView[]> {
    return this.call(() => this.zone(zone).history.slice(0, limit));
  }

  listAuditRecords(zone: string, limit: number): Promise<AuditRecordView[]> {
    return this.call(() => {
      this.zone(zone);
      return this.audit.filter((record) => record.zone === zone).slice(0, limit);
    });
  }

  listDecisionPoints(): Promise<DecisionPointList> {
    return this.call(() => ({ decisionPoints: [...this.decisionPoints], currentPolicyVersion: this.currentPolicyVersion }));
  }

  private async call<T>(run: () => T): Promise<T> {
    await Promise.resolve();
    if (this.failure !== undefined) throw this.failure;
    return run();
  }

  private zone(name: string): ZoneState {
    const state = this.zones.get(name);
    if (state === undefined) throw new ControlError("not_found", `no zone named ${name}`);
    return state;
  }

  private openOf(zone: string): ViolationView[] {
    return [...this.violations.values()].filter((v) => v.zone === zone && v.status === "open");
  }

  private view(state: ZoneState): ZoneView {
    const open = this.openOf(state.name).length;
    return {
      name: state.name,
      mode: state.mode,
      effectiveMode: state.mode,
      failMode: "open",
      openViolations: open,
      violationsNotStored: state.violationsNotStored,
      lastViolationAt: state.lastViolationAt,
      drained: state.blockers.length === 0,
      // No pace here: the store-backed facade's forecast is tested against PostgreSQL.
      drain: forecastDrain({ nowMs: Date.now(), openSignatures: open, openedInWindow: 0, resolvedInWindow: 0 }),
      readyToEnforce: state.blockers.length === 0,
      owners: [...state.owners],
    };
  }

  private record(operation: string, target: string, actor: Actor): void {
    this.changes.push({ operation, target, actor: actor.subject });
  }
}
