/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time by area (package or runtime part),
 * the functions with the most self time, and inclusive time of the audit trail's entry points.
 * Usage on its own: node profile-summary.js FILE.cpuprofile
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const AREAS: readonly [RegExp, string][] = [
  [/node_modules\/kafkajs\//, "kafkajs"],
  [/node_modules\/@grpc\/grpc-js\//, "grpc-js"],
  [/node_modules\/@bufbuild\/protobuf\//, "protobuf-es"],
  [/packages\/audit\//, "@flowzone/audit"],
  [/packages\/engine\//, "@flowzone/engine"],
  [/packages\/telemetry\/|node_modules\/(@opentelemetry|prom-client)/, "telemetry"],
  [/services\/pdp\//, "@flowzone/pdp"],
  [/packages\/proto\//, "@flowzone/proto"],
  [/node_modules\/pino/, "pino"],
  [/^node:|^internal\//, "node internals"],
];

function area(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === "") return functionName.startsWith("(") ? functionName : "native/builtin";
  for (const [re, name] of AREAS) if (re.test(url)) return name;
  return url.replace(/^.*\/(node_modules\/[^/]+|packages\/[^/]+|services\/[^/]+)\/.*$/, "$1");
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly byArea: readonly [string, number][];
  readonly topSelf: readonly [string, number][];
  readonly inclusive: readonly [string, number][];
}

const INCLUSIVE_OF = /^(auditDecision|encodeViolationAudit|offer|sendPending|nextBatch|encodeZoneTraffic|handleCheck|check|decide)$/;

export function summarizeProfile(file: string, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  let total = 0;
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (node === undefined) continue;
    if (node.callFrame.functionName === "(idle)") continue;
    total += us;
    const a = area(node);
    areas.set(a, (areas.get(a) ?? 0) + us);
    const key = `${node.callFrame.functionName || "(anonymous)"} [${a}${node.callFrame.url === "" ? "" : `:${node.callFrame.url.split("/").pop() ?? ""}:${node.callFrame.lineNumber + 1}`}]`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    // Inclusive time of the entry points: once per sample per name, however deep the recursion.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = byId.get(cur)?.callFrame.functionName ?? "";
      if (INCLUSIVE_OF.test(name) && !seen.has(name)) {
        seen.add(name);
        incl.set(name, (incl.get(name) ?? 0) + us);
      }
    }
  }
  const sorted = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / 1000]);
  return { totalMs: total / 1000, byArea: sorted(areas), topSelf: sorted(fns).slice(0, top), inclusive: sorted(incl) };
}

export function formatProfile(name: string, s: ProfileSummary): string {
  const pct = (ms: number): string => `${((100 * ms) / s.totalMs).toFixed(1)}%`;
  return [
    `${name}: ${(s.totalMs / 1000).toFixed(2)} s of samples (idle excluded)`,
    "  by area:",
    ...s.byArea.map(([k, ms]) => `    ${pct(ms).padStart(6)}  ${k}`),
    "  top self time:",
    ...s.topSelf.map(([k, ms]) => `    ${pct(ms).padStart(6)}  ${k}`),
    "  inclusive:",
    ...s.inclusive.map(([k, ms]) => `    ${pct(ms).padStart(6)}  ${k}`),
  ].join("\n");
}

if (require.main === module) {
  for (const file of process.argv.slice(2)) process.stdout.write(`${formatProfile(file, summarizeProfile(file))}\n`);
}
