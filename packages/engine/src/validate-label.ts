import type { Located, MapReader } from "./map-reader";

/** A `kind: Label` document with the line of its name, for duplicate reports. */
export interface RawLabel {
  readonly name: Located<string> | undefined;
  readonly description: string;
}

const KEYS = ["kind", "name", "description"] as const;
/** Labels travel comma-separated in Kafka headers, so a name holds no comma and no whitespace. */
const LABEL_NAME = /^[^\s,]+$/;

/** Validates a Label document, reporting every problem it finds. */
export function validateLabel(reader: MapReader): RawLabel {
  reader.subject = "a Label document";
  const name = reader.string("name", true);
  if (name !== undefined) reader.subject = `label "${name.value}"`;
  reader.rejectUnknownKeys(KEYS);
  if (name !== undefined && !LABEL_NAME.test(name.value)) {
    reader.context.report(name.line, `label name "${name.value}" must not contain whitespace or commas`);
  }
  return { name, description: reader.string("description")?.value ?? "" };
}
