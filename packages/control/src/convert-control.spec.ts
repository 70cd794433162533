import { decodeControlRecord, encodeControlChange, type ControlChange } from "./convert-control";

describe("control records", () => {
  it.each<[string, ControlChange]>([
    ["bundle", { item: { kind: "bundle", version: "sha256:ab", files: { "a.yaml": "kind: Label\nname: a\n" } }, epoch: 3 }],
    ["zone/banana", { item: { kind: "zone_mode", zone: "banana", mode: "enforcement" }, epoch: 4 }],
    [
      "exception/e-1",
      { item: { kind: "exception", id: "e-1", zone: "banana", producer: "svc:*", sink: "kafka:x", expiresAtMs: 1_800_000_000_000 }, epoch: 5 },
    ],
  ])("round-trips the item under key %s", (key, change) => {
    const encoded = encodeControlChange(change);
    expect(encoded.key).toBe(key);
    expect(decodeControlRecord(encoded.key, encoded.value)).toEqual(change);
  });

  it("revokes an exception with a tombstone", () => {
    const encoded = encodeControlChange({ item: { kind: "exception_revoked", id: "e-1" }, epoch: 6 });
    expect(encoded).toEqual({ key: "exception/e-1", value: null });
    expect(decodeControlRecord("exception/e-1", null).item).toEqual({ kind: "exception_revoked", id: "e-1" });
  });
});
