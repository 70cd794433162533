/**
 * The "zones-20" reference workload (test/bench/README.md), expressed for every system under
 * test: the flowzone bundle, the Cedar policy, the Cerbos resource policy, and the requests.
 */

export const ZONES = 20;
export const MEMBERS_PER_ZONE = 10;
export const DECLARED_LABELS = 25;
/** Requests cycle with this period; over one cycle exactly DENIES_PER_CYCLE are denied. */
export const CYCLE = 6500;
export const DENIES_PER_CYCLE = 4200;
export const EXPECTED_DENY_FRACTION = DENIES_PER_CYCLE / CYCLE;

export interface WorkloadRequest {
  readonly k: number;
  readonly requestId: string;
  readonly producer: string;
  readonly sink: string;
  readonly labels: readonly string[];
  readonly sources: readonly string[];
  readonly purpose: string;
}

export interface BundleFile {
  readonly path: string;
  readonly content: string;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

export function zoneMembers(zone: number): string[] {
  return range(MEMBERS_PER_ZONE).map((m) => `svc:sink-${zone}-${m}`);
}

/** Request k (k = 0, 1, 2, ...); request ids are `k mod CYCLE` so the pool has CYCLE entries. */
export function request(k: number): WorkloadRequest {
  return {
    k,
    requestId: String(k % CYCLE),
    producer: `svc:p-${k % 50}`,
    sink: `svc:sink-${k % ZONES}-${k % 13}`,
    labels: [`label-${k % DECLARED_LABELS}`, "x"],
    sources: [],
    purpose: "",
  };
}

/** The CYCLE requests of one cycle, k = 0 .. CYCLE-1. */
export function requestCycle(): WorkloadRequest[] {
  return range(CYCLE).map(request);
}

/** The decision the zones-20 semantics give request k, computed independently of any engine. */
export function expectedDeny(k: number): boolean {
  const label = k % DECLARED_LABELS;
  if (label >= ZONES) return false; // labels 20..24 are protected by no zone
  const sinkZone = k % ZONES;
  const sinkMember = k % 13;
  return !(sinkZone === label && sinkMember < MEMBERS_PER_ZONE);
}

/** Expected denies among requests 0 .. n-1. */
export function expectedDenies(n: number): number {
  const full = Math.floor(n / CYCLE);
  let denies = full * DENIES_PER_CYCLE;
  for (let k = full * CYCLE; k < n; k++) if (expectedDeny(k)) denies++;
  return denies;
}

/** The flowzone policy bundle: one file per document kind. */
export function flowzoneBundle(): BundleFile[] {
  const defaults = ["kind: Defaults", "enabled: true", "mode: enforcement", "failMode: open", "quietPeriod: 24h", ""].join("\n");
  const labels = [...range(DECLARED_LABELS).map((i) => `label-${i}`), "x"]
    .map((name) => `kind: Label\nname: ${name}\ndescription: zones-20 label ${name}\n`)
    .join("---\n");
  const zones = range(ZONES)
    .map((i) =>
      [
        "kind: Zone",
        `name: z${i}`,
        `description: Zone ${i} keeps label-${i} inside its ${MEMBERS_PER_ZONE} member sinks`,
        "owners: [bench]",
        `protects: [label-${i}]`,
        `members: [${zoneMembers(i).join(", ")}]`,
        "mode: enforcement",
        "",
      ].join("\n"),
    )
    .join("---\n");
  return [
    { path: "defaults.yaml", content: defaults },
    { path: "labels.yaml", content: labels },
    { path: "zones.yaml", content: zones },
  ];
}

const quote = (s: string): string => JSON.stringify(s);

/** The same zones as one Cedar `permit ... when { ... }` over `context.labels` and `context.sink`. */
export function cedarPolicy(): string {
  const clauses = range(ZONES).map(
    (i) => `  (!context.labels.contains(${quote(`label-${i}`)}) || [${zoneMembers(i).map(quote).join(", ")}].contains(context.sink))`,
  );
  return `permit(principal, action, resource) when {\n${clauses.join(" &&\n")}\n};\n`;
}

export const CERBOS_RESOURCE_KIND = "flow";
export const CERBOS_ACTION = "write";

/** The same zones as one Cerbos resource policy: a catch-all ALLOW plus one DENY rule (one CEL condition) per zone. */
export function cerbosPolicy(): string {
  const lines = [
    "apiVersion: api.cerbos.dev/v1",
    "resourcePolicy:",
    "  version: default",
    `  resource: ${CERBOS_RESOURCE_KIND}`,
    "  rules:",
    "    - name: allow-all",
    `      actions: [${CERBOS_ACTION}]`,
    "      effect: EFFECT_ALLOW",
    "      roles: ['*']",
  ];
  for (const i of range(ZONES)) {
    const members = zoneMembers(i).map(quote).join(", ");
    lines.push(
      `    - name: zone-z${i}`,
      `      actions: [${CERBOS_ACTION}]`,
      "      effect: EFFECT_DENY",
      "      roles: ['*']",
      "      condition:",
      "        match:",
      `          expr: ${quote(`"label-${i}" in R.attr.labels && !(R.attr.sink in [${members}])`)}`,
    );
  }
  return lines.join("\n") + "\n";
}
