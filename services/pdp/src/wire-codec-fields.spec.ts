/**
 * The hand codecs against proto/: every field of every message the DecisionService reads or
 * writes (its methods' inputs and outputs and the messages inside them, from the generated
 * schemas) is one the codecs handle. A field added to proto/decision.proto or types.proto fails
 * here, naming the field, until wire-codec.ts reads or writes it and lists it in CODEC_FIELDS.
 */
import type { DescMessage } from "@bufbuild/protobuf";
import { DecisionService } from "@flowzone/proto";
import { CODEC_FIELDS, DECISION_CODECS } from "./wire-codec";

/** Every message reachable from the service's methods, by type name. */
function messagesOfService(): Map<string, DescMessage> {
  const found = new Map<string, DescMessage>();
  const visit = (message: DescMessage): void => {
    if (found.has(message.typeName)) return;
    found.set(message.typeName, message);
    for (const field of message.fields) {
      if (field.fieldKind === "message" || (field.fieldKind === "list" && field.listKind === "message")) visit(field.message);
      if (field.fieldKind === "map" && field.mapKind === "message") visit(field.message);
    }
  };
  for (const method of DecisionService.methods) {
    visit(method.input);
    visit(method.output);
  }
  return found;
}

describe("wire codec fields", () => {
  const messages = messagesOfService();

  it("handles every field proto/ declares on the decision service's messages", () => {
    const unhandled: string[] = [];
    for (const message of messages.values()) {
      const handled = CODEC_FIELDS[message.typeName] ?? [];
      for (const field of message.fields) {
        if (!handled.includes(field.number)) unhandled.push(`${message.typeName}.${field.name} = ${field.number}`);
      }
    }
    // Each entry is a field of proto/ that services/pdp/src/wire-codec.ts neither reads nor writes.
    expect(unhandled).toEqual([]);
  });

  it("lists no field or message that proto/ does not have", () => {
    const stale: string[] = [];
    for (const [typeName, numbers] of Object.entries(CODEC_FIELDS)) {
      const message = messages.get(typeName);
      if (message === undefined) {
        stale.push(typeName);
        continue;
      }
      for (const number of numbers) {
        if (message.fields.every((field) => field.number !== number)) stale.push(`${typeName} field ${number}`);
      }
    }
    expect(stale).toEqual([]);
  });

  it("has a codec for every method of the service", () => {
    expect(Object.keys(DECISION_CODECS).sort()).toEqual(DecisionService.methods.map((method) => method.localName).sort());
  });
});
