/**
 * Shared fixtures of the control-core integration tests: audit records encoded as the decision
 * services encode them, a movable clock, a small policy and the counters of a metrics registry.
 * Databases, topics, logs and waiting come from test/support.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { AuditRecordSchema, EnforcementPoint, Mode } from "@flowzone/proto";
import type { Telemetry } from "@flowzone/telemetry";

import { uniqueTopic } from "../support/kafka";

/** A clock tests move by hand. */
export class ManualClock {
  constructor(public ms: number = Date.now()) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** One violating flow. */
export interface Flow {
  readonly zone: string;
  readonly rule: string;
  readonly producer: string;
  readonly sink: string;
  readonly labels: readonly string[];
}

/** A violation AuditRecord as a decision service writes it (key = zone), decided under `policyVersion`. */
export function violationRecord(flow: Flow, timeMs: number, policyVersion = "sha256:test@0"): { key: string; value: Buffer } {
  const record = create(AuditRecordSchema, {
    id: randomBytes(8).toString("hex"),
    time: timestampFromMs(timeMs),
    zone: flow.zone,
    policyVersion,
    event: {
      case: "violation",
      value: {
        decisionId: randomBytes(8).toString("hex"),
        rule: flow.rule,
        mode: Mode.LOGGING,
        enforced: false,
        labels: [...flow.labels],
        producer: flow.producer,
        sink: flow.sink,
        enforcementPoint: EnforcementPoint.DECISION_SERVICE,
        reason: "test",
      },
    },
  });
  return { key: flow.zone, value: Buffer.from(toBinary(AuditRecordSchema, record)) };
}

/** A zone_traffic AuditRecord: `decisions` evaluated for the zone in a window ending at `timeMs`, by `reporter` under `policyVersion`. */
export function trafficRecord(zone: string, decisions: number, timeMs: number, reporter = "test", policyVersion = ""): { key: string; value: Buffer } {
  const record = create(AuditRecordSchema, {
    id: randomBytes(8).toString("hex"),
    time: timestampFromMs(timeMs),
    zone,
    policyVersion,
    event: {
      case: "zoneTraffic",
      value: {
        decisions: BigInt(decisions),
        windowStart: timestampFromMs(timeMs - 1000),
        windowEnd: timestampFromMs(timeMs),
        enforcementPoint: EnforcementPoint.DECISION_SERVICE,
        reporter,
      },
    },
  });
  return { key: zone, value: Buffer.from(toBinary(AuditRecordSchema, record)) };
}

/** A small policy: zone banana (quiet period 60s, one extra rule) and zone apple (autoEnforce). */
export const BUNDLE: Readonly<Record<string, string>> = {
  "labels.yaml": ["kind: Label", "name: banana", "---", "kind: Label", "name: apple", ""].join("\n"),
  "zones.yaml": [
    "kind: Zone",
    "name: banana",
    "owners: [privacy-banana]",
    "protects: [banana]",
    "members: [kafka:banana-*, svc:banana-ranker]",
    "purposes: [banana]",
    "quietPeriod: 60s",
    "rules:",
    "  - name: no-export",
    "    deny: [kafka:export-*]",
    "---",
    "kind: Zone",
    "name: apple",
    "owners: [privacy-apple]",
    "protects: [apple]",
    "members: [kafka:apple-*]",
    "quietPeriod: 30s",
    "autoEnforce: true",
    "",
  ].join("\n"),
};

/** A new directory holding {@link BUNDLE}, a control plane's policy directory; the caller removes it. */
export async function bundleDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "flowzone-policy-"));
  for (const [path, content] of Object.entries(BUNDLE)) await writeFile(join(dir, path), content);
  return dir;
}

/** Topic and consumer-group names no other test uses, for one control plane (or the replicas of one). */
export function controlTopicNames(): { auditTopic: string; controlTopic: string; flowsTopic: string; groupId: string } {
  return { auditTopic: uniqueTopic("audit"), controlTopic: uniqueTopic("control"), flowsTopic: uniqueTopic("flows"), groupId: uniqueTopic("control-group") };
}

/** A counter's value in `telemetry`'s Prometheus text: its series whose labels include `labels`; 0 while there is none. */
export async function counterValue(telemetry: Telemetry, name: string, labels: Readonly<Record<string, string>> = {}): Promise<number> {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const series = (text: string): boolean => (text.startsWith(`${name}{`) || text.startsWith(`${name} `)) && wanted.every((label) => text.includes(label));
  const line = (await telemetry.render()).split("\n").find(series);
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}
