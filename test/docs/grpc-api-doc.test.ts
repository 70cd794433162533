// docs/reference/grpc-api.md and kafka.md are written by hand from the proto files (no maintained
// Markdown generator is available here); this keeps them complete: every service, method, message,
// field and enum value of flowzone.v1 must be named in one of them.
import { readFileSync } from "node:fs";
import path from "node:path";

import type { DescEnum, DescFile, DescMessage } from "@bufbuild/protobuf";
import {
  file_flowzone_v1_audit,
  file_flowzone_v1_control,
  file_flowzone_v1_decision,
  file_flowzone_v1_flows,
  file_flowzone_v1_types,
  file_flowzone_v1_zone,
} from "@flowzone/proto";

const DOCS = path.join(__dirname, "..", "..", "docs", "reference");
const text = ["grpc-api.md", "kafka.md"].map((name) => readFileSync(path.join(DOCS, name), "utf8")).join("\n");
const FILES: readonly DescFile[] = [file_flowzone_v1_types, file_flowzone_v1_decision, file_flowzone_v1_zone, file_flowzone_v1_audit, file_flowzone_v1_control, file_flowzone_v1_flows];

/** Every name of a file that the reference must mention, as `kind name`. */
function namesOf(file: DescFile): string[] {
  const names: string[] = [];
  const addEnum = (e: DescEnum): void => {
    names.push(`enum ${e.name}`, ...e.values.map((v) => `value ${v.name}`));
  };
  const addMessage = (m: DescMessage): void => {
    names.push(`message ${m.name}`, ...m.fields.map((f) => `field ${m.name}.${f.name}`));
    m.nestedEnums.forEach(addEnum);
    m.nestedMessages.forEach(addMessage);
  };
  for (const service of file.services) names.push(`service ${service.name}`, ...service.methods.map((m) => `method ${m.name}`));
  file.messages.forEach(addMessage);
  file.enums.forEach(addEnum);
  return names;
}

describe("the gRPC and Kafka reference", () => {
  it.each(FILES.map((file) => [file.name, file] as const))("names everything in %s", (_name, file) => {
    const missing = namesOf(file).filter((entry) => {
      const name = entry.split(" ")[1]?.split(".").at(-1) ?? "";
      return !text.includes(`\`${name}\``);
    });
    expect(missing).toEqual([]);
  });
});
