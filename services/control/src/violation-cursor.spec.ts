import { FlowzoneError } from "@flowzone/errors";

import { decodeViolationCursor, encodeViolationCursor } from "./violation-cursor";

const LAST = { lastSeen: new Date("2026-11-04T15:00:00.123Z"), id: "0123456789abcdef0123456789abcdef" };

function refusal(cursor: string): unknown {
  try {
    decodeViolationCursor(cursor);
  } catch (error) {
    return error instanceof FlowzoneError ? { code: error.code, field: error.details.fieldViolations?.[0]?.field } : error;
  }
  return "accepted";
}

describe("the violations cursor", () => {
  it("reads back the violation it was written from", () => {
    expect(decodeViolationCursor(encodeViolationCursor(LAST))).toEqual(LAST);
  });

  it.each([
    ["not base64 of anything", "bogus"],
    ["no id", Buffer.from("2026-11-04T15:00:00.123Z").toString("base64url")],
    ["a bad time", Buffer.from(`yesterday|${LAST.id}`).toString("base64url")],
    ["a short id", Buffer.from("2026-11-04T15:00:00.123Z|abc").toString("base64url")],
    ["a part too many", Buffer.from(`2026-11-04T15:00:00.123Z|${LAST.id}|x`).toString("base64url")],
  ])("refuses a cursor with %s, naming the field", (_, cursor) => {
    expect(refusal(cursor)).toEqual({ code: "invalid_argument", field: "cursor" });
  });
});
