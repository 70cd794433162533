/**
 * The long-sink glob cases of bench:pdp (`--globs-only`, and part of every full run): bundles
 * whose members, deny patterns and exceptions are multi-star globs, sinks of a given length full
 * of near misses, and the engine's former matcher (an anchored RegExp per pattern list) kept here
 * only as the "before" figure.
 */
import { PolicyEngine, parseBundle } from "@flowzone/engine";
import type { RuntimeState, Write } from "@flowzone/engine";

export interface GlobCase {
  readonly name: string;
  /** The engine for the case, with its runtime state (exceptions) applied. */
  readonly engine: PolicyEngine;
  /** Every pattern list decide evaluates for a non-member sink: members, deny rules, exception sinks. */
  readonly patternLists: readonly (readonly string[])[];
  /** Sink shapes that no pattern matches, by what they cost a matcher. */
  readonly shapes: readonly SinkShape[];
}

/** `kafka:r<variant>-`, then `unit` repeated, then `tail`; the variant makes it new to the engine's sink memo. */
export interface SinkShape {
  readonly name: string;
  readonly unit: string;
  readonly tail: string;
}

const ONE_GLOB = ["kafka:*-a-*-b-*-c"];
const THREE_MEMBERS = ["kafka:*-a-*-b-*-c", "kafka:*.x.*.y.*.z", "kafka:*_p_*_q_*_r"];
const THREE_DENY = ["kafka:*-a-*-d-*-e", "kafka:*.x.*.d.*.e", "kafka:*_p_*_d_*_e"];
const EXCEPTION_SINK = "kafka:*-b-*-a-*-e";

function engineFor(zone: readonly string[], state?: RuntimeState): PolicyEngine {
  const parsed = parseBundle([
    // maxFieldBytes raised past the longest sink: at the default 256 bytes the engine refuses
    // these sinks as too_long before any glob is matched, and the matcher is what is measured.
    { path: "defaults.yaml", content: "kind: Defaults\nenabled: true\nmode: enforcement\nfailMode: open\nquietPeriod: 24h\nmaxFieldBytes: 2097152\n" },
    { path: "labels.yaml", content: "kind: Label\nname: pii\ndescription: bench label\n" },
    { path: "zone.yaml", content: ["kind: Zone", "name: globs", "owners: [bench]", "protects: [pii]", ...zone, "mode: enforcement", ""].join("\n") },
  ]);
  if (!parsed.ok) throw new Error(`the glob bench bundle does not load: ${JSON.stringify(parsed.errors)}`);
  return PolicyEngine.compile(parsed.bundle, state);
}

const list = (patterns: readonly string[]): string => `[${patterns.map((p) => JSON.stringify(p)).join(", ")}]`;

/** A sink of exactly `length` characters (at least the head and tail) of `shape`. */
export function sinkOf(shape: SinkShape, length: number, variant: number): string {
  const head = `kafka:r${variant}-`;
  const room = Math.max(0, length - head.length - shape.tail.length);
  return `${head}${shape.unit.repeat(Math.ceil(room / shape.unit.length)).slice(0, room)}${shape.tail}`;
}

export function globCases(): GlobCase[] {
  const exceptions: RuntimeState = {
    epoch: 1,
    zoneModes: new Map(),
    exceptions: [{ id: "bench", zone: "globs", producer: "svc:*", sink: EXCEPTION_SINK, expiresAtMs: Number.MAX_SAFE_INTEGER }],
  };
  return [
    {
      name: `members ${ONE_GLOB.join("")}`,
      engine: engineFor([`members: ${list(ONE_GLOB)}`]),
      patternLists: [ONE_GLOB],
      shapes: [
        { name: "near misses, wrong end", unit: "-a--b-", tail: "x" },
        { name: "right end, no -b-", unit: "-a-", tail: "-c" },
      ],
    },
    {
      name: `three-glob zone: members ${THREE_MEMBERS.join(", ")}; a rule denying ${THREE_DENY.join(", ")}; an exception for sink ${EXCEPTION_SINK}`,
      engine: engineFor([`members: ${list(THREE_MEMBERS)}`, "rules:", `  - { name: no-export, deny: ${list(THREE_DENY)} }`], exceptions),
      patternLists: [THREE_MEMBERS, THREE_DENY, [EXCEPTION_SINK]],
      shapes: [
        { name: "near misses, wrong end", unit: "-a--b-.x..y._p__q_-d-", tail: "x" },
        { name: "right end, no -b-", unit: "-a-.x..y._p__q_-d-", tail: "-c" },
      ],
    },
  ];
}

/** A write of the protected label to `sink`: decide must evaluate every pattern list of the case. */
export function writeTo(sink: string): Write {
  return { producer: "svc:bench", sink, labels: ["pii"], sources: [], purpose: "" };
}

/** The engine's former translation: one anchored RegExp over a pattern list, `*` as `.*`. */
export function oldRegExp(patterns: readonly string[]): RegExp {
  const sources = patterns.map((pattern) =>
    pattern
      .split("*")
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*"),
  );
  return new RegExp(`^(?:${sources.join("|")})$`, "s");
}
