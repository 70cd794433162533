import { MAX_COUNT_RANGE } from "./count-bounds";
import { MAX_FIELD_BYTES_RANGE } from "./field-bounds";
import type { MapReader } from "./map-reader";
import { FAIL_MODES, MODES } from "./modes";
import type { FailMode, Mode } from "./types";
import { readDuration } from "./validate-common";

/** A `kind: Defaults` document as written: unset keys stay undefined until the bundle fills them in. */
export interface RawDefaults {
  readonly file: string;
  readonly line: number;
  readonly enabled: boolean | undefined;
  readonly mode: Mode | undefined;
  readonly failMode: FailMode | undefined;
  readonly quietPeriodMs: number | undefined;
  readonly maxExceptionLifetimeMs: number | undefined;
  readonly maxFieldBytes: number | undefined;
  readonly maxLabels: number | undefined;
  readonly maxSources: number | undefined;
}

const KEYS = ["kind", "enabled", "mode", "failMode", "quietPeriod", "maxExceptionLifetime", "maxFieldBytes", "maxLabels", "maxSources"] as const;

/** Validates a Defaults document, reporting every problem it finds. */
export function validateDefaults(reader: MapReader): RawDefaults {
  reader.subject = "the Defaults document";
  reader.rejectUnknownKeys(KEYS);
  return {
    file: reader.context.file,
    line: reader.line,
    enabled: reader.boolean("enabled"),
    mode: reader.oneOf("mode", MODES, "mode"),
    failMode: reader.oneOf("failMode", FAIL_MODES, "failMode"),
    quietPeriodMs: readDuration(reader, "quietPeriod"),
    maxExceptionLifetimeMs: readDuration(reader, "maxExceptionLifetime"),
    maxFieldBytes: reader.integer("maxFieldBytes", MAX_FIELD_BYTES_RANGE.min, MAX_FIELD_BYTES_RANGE.max),
    maxLabels: reader.integer("maxLabels", MAX_COUNT_RANGE.min, MAX_COUNT_RANGE.max),
    maxSources: reader.integer("maxSources", MAX_COUNT_RANGE.min, MAX_COUNT_RANGE.max),
  };
}
