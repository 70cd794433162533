import { isMap, isNode, isScalar, isSeq } from "yaml";
import type { YAMLMap } from "yaml";
import type { DocumentContext } from "./yaml-documents";

/** A value read from YAML with the line it came from, for cross-reference errors later. */
export interface Located<T> {
  readonly value: T;
  readonly line: number;
}

interface Entry {
  readonly key: string;
  readonly keyLine: number;
  readonly value: unknown;
}

/** Names the YAML type of a node for "must be X, not Y" messages. */
export function describeNode(node: unknown): string {
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const value = node.value;
    if (value === null) return "null";
    if (typeof value === "string") return `the string "${value}"`;
    if (typeof value === "number") return `the number ${value}`;
    if (typeof value === "boolean") return `the boolean ${value}`;
  }
  return "an unsupported value";
}

/**
 * Typed, error-collecting access to one YAML mapping. Every accessor reports a readable sentence
 * at the offending line and returns undefined, so a validator reads on and finds every error.
 */
export class MapReader {
  /** How messages name this mapping, e.g. `zone "banana"`; refined once the name is known. */
  subject: string;
  /** Line of the mapping itself (its first key), for errors about missing keys. */
  readonly line: number;
  private readonly entries = new Map<string, Entry>();

  private constructor(
    readonly context: DocumentContext,
    node: YAMLMap,
    subject: string,
  ) {
    this.subject = subject;
    this.line = context.line(node);
    for (const pair of node.items) {
      const key = context.resolve(pair.key);
      const keyLine = context.line(isNode(key) ? key : node);
      if (!isScalar(key) || typeof key.value !== "string") {
        context.report(keyLine, `${subject} has a key that is not a string: ${describeNode(key)}`);
        continue;
      }
      this.entries.set(key.value, { key: key.value, keyLine, value: context.resolve(pair.value) });
    }
  }

  /** Opens `node` as a mapping, or reports that it must be one. */
  static open(context: DocumentContext, node: unknown, subject: string, line: number): MapReader | undefined {
    const resolved = context.resolve(node);
    if (isMap(resolved)) return new MapReader(context, resolved, subject);
    context.report(line, `${subject} must be a mapping, not ${describeNode(resolved)}`);
    return undefined;
  }

  /** Line of `key` when present, else of the mapping. */
  lineOf(key: string): number {
    return this.entries.get(key)?.keyLine ?? this.line;
  }

  /** Reports every key outside `allowed`, at the key's own line. */
  rejectUnknownKeys(allowed: readonly string[]): void {
    for (const entry of this.entries.values()) {
      if (!allowed.includes(entry.key)) {
        this.context.report(
          entry.keyLine,
          `unknown key "${entry.key}" in ${this.subject}; allowed keys are ${allowed.join(", ")}`,
        );
      }
    }
  }

  /** The raw node of `key`; undefined when absent or null (null means unset). */
  node(key: string): unknown {
    const value = this.entries.get(key)?.value;
    if (value === undefined || (isScalar(value) && value.value === null)) return undefined;
    return value;
  }

  private valueLine(key: string): number {
    const value = this.entries.get(key)?.value;
    return isNode(value) ? this.context.line(value) : this.lineOf(key);
  }

  /** Reports a missing required key. */
  missing(key: string): void {
    this.context.report(this.line, `${this.subject} is missing required key "${key}"`);
  }

  /** A string value; reports a wrong type, a missing required key or an empty required string. */
  string(key: string, required = false): Located<string> | undefined {
    const node = this.node(key);
    if (node === undefined) {
      if (required) this.missing(key);
      return undefined;
    }
    const line = this.valueLine(key);
    if (!isScalar(node) || typeof node.value !== "string") {
      this.context.report(line, `"${key}" of ${this.subject} must be a string, not ${describeNode(node)}`);
      return undefined;
    }
    if (required && node.value === "") {
      this.context.report(line, `"${key}" of ${this.subject} must not be empty`);
      return undefined;
    }
    return { value: node.value, line };
  }

  /** A whole number from `min` to `max`; reports anything else naming the range. */
  integer(key: string, min: number, max: number): number | undefined {
    const node = this.node(key);
    if (node === undefined) return undefined;
    if (!isScalar(node) || typeof node.value !== "number" || !Number.isInteger(node.value) || node.value < min || node.value > max) {
      this.context.report(this.valueLine(key), `"${key}" of ${this.subject} must be a whole number from ${min} to ${max}, not ${describeNode(node)}`);
      return undefined;
    }
    return node.value;
  }

  /** A boolean value (YAML 1.2: only `true` / `false`). */
  boolean(key: string): boolean | undefined {
    const node = this.node(key);
    if (node === undefined) return undefined;
    if (!isScalar(node) || typeof node.value !== "boolean") {
      this.context.report(
        this.valueLine(key),
        `"${key}" of ${this.subject} must be true or false, not ${describeNode(node)}`,
      );
      return undefined;
    }
    return node.value;
  }

  /** One of a closed set of strings, e.g. a mode; reports anything else naming the allowed values. */
  oneOf<T extends string>(key: string, allowed: readonly T[], what: string): T | undefined {
    const text = this.string(key);
    if (text === undefined) return undefined;
    const found = allowed.find((value) => value === text.value);
    if (found === undefined) {
      this.context.report(
        text.line,
        `unknown ${what} "${text.value}" in ${this.subject}; expected one of ${allowed.join(", ")}`,
      );
    }
    return found;
  }

  /** The items of a list value with their lines; reports a value that is not a list. */
  list(key: string, what: string): Located<unknown>[] | undefined {
    const node = this.node(key);
    if (node === undefined) return undefined;
    if (!isSeq(node)) {
      this.context.report(
        this.valueLine(key),
        `"${key}" of ${this.subject} must be ${what}, not ${describeNode(node)}`,
      );
      return undefined;
    }
    return node.items.map((item) => {
      const resolved = this.context.resolve(item);
      const line = isNode(resolved) ? this.context.line(resolved) : this.lineOf(key);
      return { value: resolved, line };
    });
  }

  /** A list of non-empty strings; items of another type are reported and dropped. */
  stringList(key: string): Located<string>[] | undefined {
    const items = this.list(key, "a list of strings");
    if (items === undefined) return undefined;
    const strings: Located<string>[] = [];
    items.forEach((item, index) => {
      const node = item.value;
      if (!isScalar(node) || typeof node.value !== "string" || node.value === "") {
        this.context.report(
          item.line,
          `"${key}" of ${this.subject} must be a list of non-empty strings, but item ${index + 1} is ${describeNode(node)}`,
        );
        return;
      }
      strings.push({ value: node.value, line: item.line });
    });
    return strings;
  }
}
