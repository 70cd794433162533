/**
 * The measurement: flip the zone through the control plane's HTTP API and probe every replica
 * until each answers under the new mode, flip after flip.
 */
import { setTimeout as sleep } from "node:timers/promises";

import { ZONE } from "./bundle";
import type { ProbeAnswer, Replica } from "./probe";
import { progress, wallMs } from "./settings";

export type FlipMode = "enforcement" | "logging";

/** When one replica first answered under the new mode. */
export interface ReplicaConvergence {
  /** Unix ms of the first answer under the new mode. */
  readonly at: number;
  readonly probes: number;
  /** Round trip of the probe that first saw the new mode. */
  readonly rtt: number;
  readonly policyVersion: string;
}

export interface FlipResult {
  readonly index: number;
  readonly warmup: boolean;
  readonly to: FlipMode;
  readonly reason: string;
  /** Unix ms: the POST was sent, its 200 received. */
  readonly sentAt: number;
  readonly ackAt: number;
  readonly epochBefore: number;
  /** The epoch every replica decides under after the flip. */
  readonly epoch: number;
  readonly replicas: readonly ReplicaConvergence[];
}

/** API acknowledgement → this replica answering under the new mode; 0 when it already did before the acknowledgement. */
export function sinceAck(flip: FlipResult, replica: number): number {
  const r = flip.replicas[replica];
  return r === undefined ? NaN : Math.max(0, r.at - flip.ackAt);
}

/** API acknowledgement → every replica answering under the new mode (the goal's figure). */
export function propagation(flip: FlipResult): number {
  return Math.max(0, ...flip.replicas.map((r) => r.at - flip.ackAt));
}

export interface MeasureSettings {
  readonly controlUrl: string;
  readonly replicas: readonly Replica[];
  readonly flips: number;
  readonly warmup: number;
  readonly probeMs: number;
  readonly gapMs: number;
  readonly timeoutMs: number;
  /** Called just before the first measured flip, so that counters read from there cover the measured flips only. */
  readonly onMeasuredStart?: () => void;
}

interface Watch {
  stopped: boolean;
}

/**
 * Probes `replica` every `probeMs` until it answers under a newer epoch than `epochBefore`
 * with the decision the new mode gives (`deny`). A newer epoch with the old decision fails.
 */
async function watch(replica: Replica, deny: boolean, epochBefore: number, settings: MeasureSettings, control: Watch): Promise<ReplicaConvergence> {
  const deadline = wallMs() + settings.timeoutMs;
  let probes = 0;
  for (;;) {
    const started = performance.now();
    const answer: ProbeAnswer = await replica.check();
    const rtt = performance.now() - started;
    const at = wallMs();
    probes++;
    if (answer.epoch > epochBefore) {
      if (answer.deny !== deny) {
        throw new Error(`${replica.name} decides under epoch ${answer.epoch} (${answer.policyVersion}) but answers ${answer.deny ? "DENY" : "ALLOW"}, not the new mode's ${deny ? "DENY" : "ALLOW"}`);
      }
      return { at, probes, rtt, policyVersion: answer.policyVersion };
    }
    if (Number.isNaN(answer.epoch)) throw new Error(`${replica.name}: policy version "${answer.policyVersion}" carries no epoch`);
    if (control.stopped) throw new Error(`${replica.name}: stopped`);
    if (at > deadline) throw new Error(`${replica.name} still answers under epoch ${answer.epoch} ${settings.timeoutMs} ms after the flip was sent`);
    const wait = settings.probeMs - (performance.now() - started);
    if (wait > 0) await sleep(wait);
  }
}

async function postFlip(settings: MeasureSettings, to: FlipMode, reason: string, force: boolean): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${settings.controlUrl}/v1/zones/${ZONE}/flip`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ to, reason, force }),
  });
  return { status: response.status, body: await response.json() };
}

/** Every replica's current answer; they must agree. */
export async function agreedState(replicas: readonly Replica[]): Promise<ProbeAnswer> {
  const answers = await Promise.all(replicas.map((r) => r.check()));
  const first = answers[0];
  if (first === undefined) throw new Error("no replicas");
  for (const [i, a] of answers.entries()) {
    if (a.policyVersion !== first.policyVersion || a.deny !== first.deny) {
      throw new Error(`replicas disagree: ${replicas[0]?.name ?? "?"} ${first.policyVersion} ${first.deny ? "DENY" : "ALLOW"}, ${replicas[i]?.name ?? "?"} ${a.policyVersion} ${a.deny ? "DENY" : "ALLOW"}`);
    }
  }
  return first;
}

/**
 * Before measuring: probes in logging (allowed, audited: the zone sees traffic and its backlog
 * fills), then a flip to enforcement without `force`, which the drain guard must refuse.
 */
export async function prepare(settings: MeasureSettings): Promise<{ blockers: string[] }> {
  for (let i = 0; i < 20; i++) {
    const state = await agreedState(settings.replicas);
    if (state.deny) throw new Error(`the zone starts in logging, yet the probe is denied (${state.policyVersion})`);
  }
  const refused = await postFlip(settings, "enforcement", "bench:propagation: the drain guard must refuse this", false);
  const error = (refused.body as { error?: { code?: string; blockers?: string[] } }).error;
  if (refused.status !== 409 || error?.code !== "not_drained") {
    throw new Error(`an unforced flip of a zone with open violations should be refused with 409 not_drained, got ${refused.status} ${JSON.stringify(refused.body)}`);
  }
  return { blockers: error.blockers ?? [] };
}

/** Runs `warmup` + `flips` flips, alternating enforcement (forced) and logging. */
export async function measureFlips(settings: MeasureSettings): Promise<FlipResult[]> {
  const results: FlipResult[] = [];
  let state = await agreedState(settings.replicas);
  const total = settings.warmup + settings.flips;
  for (let index = 0; index < total; index++) {
    if (index === settings.warmup) settings.onMeasuredStart?.();
    const to: FlipMode = state.deny ? "logging" : "enforcement";
    const deny = to === "enforcement";
    const reason = `bench:propagation flip ${index} to ${to}`;
    const control: Watch = { stopped: false };
    const watches = settings.replicas.map((replica) => watch(replica, deny, state.epoch, settings, control));
    // Settle every watch so that one failing does not leave the others unobserved.
    const settled = Promise.allSettled(watches);
    const sentAt = wallMs();
    let ackAt: number;
    try {
      const answer = await postFlip(settings, to, reason, deny);
      ackAt = wallMs();
      const mode = (answer.body as { mode?: string }).mode;
      if (answer.status !== 200 || mode !== to) throw new Error(`flip ${index} to ${to}: ${answer.status} ${JSON.stringify(answer.body)}`);
    } catch (error) {
      control.stopped = true;
      await settled;
      throw error;
    }
    const outcomes = await settled;
    const replicas = outcomes.map((o) => {
      if (o.status === "rejected") throw o.reason instanceof Error ? o.reason : new Error(String(o.reason));
      return o.value;
    });
    const after = await agreedState(settings.replicas);
    if (after.deny !== deny) throw new Error(`after flip ${index} the replicas answer ${after.deny ? "DENY" : "ALLOW"} under ${after.policyVersion}`);
    const result: FlipResult = { index, warmup: index < settings.warmup, to, reason, sentAt, ackAt, epochBefore: state.epoch, epoch: after.epoch, replicas };
    for (const r of replicas) {
      if (r.policyVersion !== after.policyVersion) throw new Error(`flip ${index}: a replica first answered under ${r.policyVersion}, then all under ${after.policyVersion}: two changes at once`);
    }
    results.push(result);
    if (index === settings.warmup - 1) progress(`${settings.warmup} warm-up flips done`);
    if (!result.warmup && (index - settings.warmup + 1) % 20 === 0) {
      progress(`flip ${index - settings.warmup + 1}/${settings.flips}: to ${to}, epoch ${after.epoch}, ack ${(ackAt - sentAt).toFixed(1)} ms, propagation ${propagation(result).toFixed(1)} ms`);
    }
    state = after;
    await sleep(settings.gapMs + Math.random() * settings.gapMs);
  }
  return results;
}
