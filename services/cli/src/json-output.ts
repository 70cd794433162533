import type { BundleError, Decision } from "@flowzone/engine";
import type { TextSink } from "./io";

/** A bundle error in `--json` output; `file` includes the bundle directory. */
export interface JsonError {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** A decision in `--json` output, shaped like the gRPC CheckResponse's fields. */
export interface JsonDecision {
  readonly decision: "allow" | "deny";
  readonly violations: readonly {
    readonly zone: string;
    readonly rule: string;
    readonly mode: string;
    readonly enforced: boolean;
    readonly failMode: string;
    readonly labels: readonly string[];
    readonly reason: string;
  }[];
}

/** Bundle errors as `--json` shows them (explicit keys: the output is a documented format). */
export function jsonErrors(errors: readonly BundleError[]): JsonError[] {
  return errors.map((e) => ({ file: e.file, line: e.line, message: e.message }));
}

/** A decision as `--json` shows it. */
export function jsonDecision(decision: Decision): JsonDecision {
  return {
    decision: decision.allow ? "allow" : "deny",
    violations: decision.violations.map((v) => ({
      zone: v.zone,
      rule: v.rule,
      mode: v.mode,
      enforced: v.enforced,
      failMode: v.failMode,
      labels: [...v.labels],
      reason: v.reason,
    })),
  };
}

/** Writes one JSON document, pretty-printed, ending with a newline. */
export function writeJson(sink: TextSink, value: unknown): void {
  sink.write(`${JSON.stringify(value, null, 2)}\n`);
}
