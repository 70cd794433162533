/**
 * Domain types of the policy engine. Plain data only: protobuf types never reach
 * the engine; services convert at their edge.
 */

/** How a zone or rule treats a violation, ordered `off < logging < enforcement`. */
export type Mode = "off" | "logging" | "enforcement";

/** A rule's own dial: `inherit` adds no constraint to the zone's mode. */
export type RuleMode = Mode | "inherit";

/** Posture when flowzone itself fails (never applied to findings). */
export type FailMode = "open" | "closed";

/** One file of a bundle: its path relative to the bundle root (posix separators) and its text. */
export interface SourceFile {
  readonly path: string;
  readonly content: string;
}

/** A rejection found while loading a bundle; printed as `file:line: message`. */
export interface BundleError {
  readonly file: string;
  /** 1-based line of the offending node. */
  readonly line: number;
  readonly message: string;
}

export interface Defaults {
  readonly enabled: boolean;
  readonly mode: Mode;
  readonly failMode: FailMode;
  readonly quietPeriodMs: number;
  /** How far ahead an exception's expiry may lie when it is granted. */
  readonly maxExceptionLifetimeMs: number;
  /** The longest producer, sink, purpose, label or asset id accepted, in UTF-8 bytes. */
  readonly maxFieldBytes: number;
  /** The most labels one write may list. */
  readonly maxLabels: number;
  /** The most source assets one write may list. */
  readonly maxSources: number;
}

export interface Label {
  readonly name: string;
  readonly description: string;
}

export interface Asset {
  /** `<system>:<name>`, e.g. `kafka:orders`. */
  readonly id: string;
  readonly labels: readonly string[];
  readonly owner: string | undefined;
}

export interface ZoneRule {
  readonly name: string;
  /** Asset-id patterns; `*` globs within an id. */
  readonly deny: readonly string[];
  readonly mode: RuleMode;
  /** Unset: inherits the zone's (then the Defaults') fail mode. */
  readonly failMode: FailMode | undefined;
}

export interface Zone {
  readonly name: string;
  readonly description: string;
  readonly owners: readonly string[];
  readonly protects: readonly string[];
  /** Asset-id patterns of the sinks inside the zone. */
  readonly members: readonly string[];
  readonly purposes: readonly string[];
  /** Initial mode from the bundle (Defaults' mode when unset); runtime flips override it. */
  readonly mode: Mode;
  /** Unset: the Defaults' fail mode applies. */
  readonly failMode: FailMode | undefined;
  readonly quietPeriodMs: number;
  readonly autoEnforce: boolean;
  readonly rules: readonly ZoneRule[];
}

/** A write as a policy test describes it, and the decision it expects. */
export interface PolicyTestCase {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly write: Write;
  readonly expect: {
    readonly decision: "allow" | "deny";
    /** When given, the exact set of violations expected (order-insensitive). */
    readonly violations: readonly ExpectedViolation[] | undefined;
  };
}

export interface ExpectedViolation {
  readonly zone: string;
  readonly rule: string;
  /** When given, must match the violation's `enforced`. */
  readonly enforced: boolean | undefined;
}

export interface PolicyTestSuite {
  readonly name: string;
  readonly file: string;
  readonly tests: readonly PolicyTestCase[];
}

/** A validated bundle: plain data, ready to compile. */
export interface Bundle {
  /** `sha256:<hex>` of the canonical content (test suites excluded). */
  readonly digest: string;
  readonly defaults: Defaults;
  readonly labels: ReadonlyMap<string, Label>;
  readonly assets: ReadonlyMap<string, Asset>;
  /** In the order of their files (sorted by path) and documents. */
  readonly zones: readonly Zone[];
  readonly testSuites: readonly PolicyTestSuite[];
}

export type ParseResult =
  | { readonly ok: true; readonly bundle: Bundle }
  | { readonly ok: false; readonly errors: readonly BundleError[] };

/** A time-boxed exception to a zone's boundary rule, granted by the control plane. */
export interface ZoneException {
  readonly id: string;
  readonly zone: string;
  /** Asset-id pattern. */
  readonly producer: string;
  /** Asset-id pattern. */
  readonly sink: string;
  readonly expiresAtMs: number;
}

/** Runtime state the control plane layers over a bundle. */
export interface RuntimeState {
  /** Control epoch of zone modes and exceptions; 0 before any control change. */
  readonly epoch: number;
  /** Runtime zone modes; a zone absent here runs in its bundle mode. */
  readonly zoneModes: ReadonlyMap<string, Mode>;
  readonly exceptions: readonly ZoneException[];
}

/** A write to decide. `purpose` is "" when none is declared. */
export interface Write {
  readonly producer: string;
  readonly sink: string;
  readonly labels: readonly string[];
  readonly sources: readonly string[];
  readonly purpose: string;
}

export interface Violation {
  readonly zone: string;
  /** `boundary` or the name of an extra rule. */
  readonly rule: string;
  /** The rule's effective mode (never `off`: off rules are not evaluated). */
  readonly mode: Mode;
  readonly enforced: boolean;
  /** Resolved fail posture of the rule (rule, then zone, then Defaults). */
  readonly failMode: FailMode;
  /** The zone's protected labels that the write carries, sorted. */
  readonly labels: readonly string[];
  /** One sentence a producer's engineer can act on. */
  readonly reason: string;
}

export interface Decision {
  readonly allow: boolean;
  readonly violations: readonly Violation[];
}

/** Why a write cannot be decided at all (a request error, gRPC INVALID_ARGUMENT). */
export type WriteErrorCode =
  | "missing_field"
  | "malformed_asset"
  | "unknown_label"
  | "unknown_source"
  | "too_long"
  | "over_limit";
