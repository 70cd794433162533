import type { Located, MapReader } from "./map-reader";
import { MapReader as Reader } from "./map-reader";
import { FAIL_MODES, MODES, RULE_MODES } from "./modes";
import type { FailMode, Mode, ZoneRule } from "./types";
import { checkPatterns, readDuration, unique } from "./validate-common";

/** A `kind: Zone` document as written: mode and quiet period stay undefined until Defaults fill them in. */
export interface RawZone {
  readonly name: Located<string> | undefined;
  readonly description: string;
  readonly owners: readonly string[];
  /** Checked against the declared labels once the whole bundle is read. */
  readonly protects: readonly Located<string>[];
  readonly members: readonly string[];
  readonly purposes: readonly string[];
  readonly mode: Mode | undefined;
  readonly failMode: FailMode | undefined;
  readonly quietPeriodMs: number | undefined;
  readonly autoEnforce: boolean;
  readonly rules: readonly ZoneRule[];
}

const ZONE_KEYS = [
  "kind",
  "name",
  "description",
  "owners",
  "protects",
  "members",
  "purposes",
  "mode",
  "failMode",
  "quietPeriod",
  "autoEnforce",
  "rules",
] as const;
const RULE_KEYS = ["name", "deny", "mode", "failMode"] as const;
/** Zone names appear in URLs and as Kafka keys, so they stay plain. */
const ZONE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** The implicit rule every zone has; an extra rule may not take its name. */
export const BOUNDARY_RULE = "boundary";

/** Validates a Zone document and its rules, reporting every problem it finds. */
export function validateZone(reader: MapReader): RawZone {
  reader.subject = "a Zone document";
  const name = reader.string("name", true);
  if (name !== undefined) {
    reader.subject = `zone "${name.value}"`;
    if (!ZONE_NAME.test(name.value)) {
      reader.context.report(
        name.line,
        `zone name "${name.value}" may only contain letters, digits, '.', '_' and '-', starting with a letter or digit`,
      );
    }
  }
  reader.rejectUnknownKeys(ZONE_KEYS);
  const protects = reader.stringList("protects");
  if (protects === undefined) {
    if (reader.node("protects") === undefined) reader.missing("protects");
  } else if (protects.length === 0) {
    reader.context.report(reader.lineOf("protects"), `${reader.subject} protects no label; list at least one in "protects"`);
  }
  return {
    name,
    description: reader.string("description")?.value ?? "",
    owners: values(unique(reader.stringList("owners") ?? [])),
    protects: unique(protects ?? []),
    members: checkPatterns(reader, "members", unique(reader.stringList("members") ?? [])),
    purposes: values(unique(reader.stringList("purposes") ?? [])),
    mode: reader.oneOf("mode", MODES, "mode"),
    failMode: reader.oneOf("failMode", FAIL_MODES, "failMode"),
    quietPeriodMs: readDuration(reader, "quietPeriod"),
    autoEnforce: reader.boolean("autoEnforce") ?? false,
    rules: validateRules(reader),
  };
}

function values(items: readonly Located<string>[]): string[] {
  return items.map((item) => item.value);
}

function validateRules(zone: MapReader): ZoneRule[] {
  const items = zone.list("rules", "a list of rules") ?? [];
  const rules: ZoneRule[] = [];
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const reader = Reader.open(zone.context, item.value, `rule ${index + 1} of ${zone.subject}`, item.line);
    if (reader === undefined) return;
    const name = reader.string("name", true);
    if (name !== undefined) {
      reader.subject = `rule "${name.value}" of ${zone.subject}`;
      if (name.value === BOUNDARY_RULE) {
        zone.context.report(name.line, `${zone.subject} has a rule named "boundary"; that name is reserved for the zone's implicit rule`);
      }
      const first = seen.get(name.value);
      if (first !== undefined) {
        zone.context.report(name.line, `${zone.subject} has two rules named "${name.value}" (the first at line ${first})`);
      } else seen.set(name.value, name.line);
    }
    reader.rejectUnknownKeys(RULE_KEYS);
    const absent = reader.node("deny") === undefined;
    const deny = reader.stringList("deny");
    if (absent || deny?.length === 0) {
      zone.context.report(
        absent ? reader.line : reader.lineOf("deny"),
        `${reader.subject} can never match: it has no "deny" patterns`,
      );
    }
    const rule: ZoneRule = {
      name: name?.value ?? "",
      deny: checkPatterns(reader, "deny", unique(deny ?? [])),
      mode: reader.oneOf("mode", RULE_MODES, "rule mode") ?? "inherit",
      failMode: reader.oneOf("failMode", FAIL_MODES, "failMode"),
    };
    rules.push(rule);
  });
  return rules;
}
