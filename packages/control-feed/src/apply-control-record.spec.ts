import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { ControlRecordSchema, Mode } from "@flowzone/proto";

import { applyControlRecord } from "./apply-control-record";
import { EMPTY_SNAPSHOT } from "./control-snapshot";
import { runtimeStateOf } from "./runtime-state-of";

const encode = (record: MessageInitShape<typeof ControlRecordSchema>): Uint8Array =>
  toBinary(ControlRecordSchema, create(ControlRecordSchema, record));

describe("applyControlRecord", () => {
  it("folds a bundle, zone modes and exceptions, keeping the highest epoch", () => {
    let snapshot = applyControlRecord(EMPTY_SNAPSHOT, "bundle", encode({ epoch: 1n, item: { case: "bundle", value: { version: "sha256:ab", files: { "z.yaml": "b", "a.yaml": "a" } } } }));
    snapshot = applyControlRecord(snapshot, "zone/banana", encode({ epoch: 3n, item: { case: "zoneMode", value: { zone: "banana", mode: Mode.ENFORCEMENT } } }));
    snapshot = applyControlRecord(snapshot, "zone/pii", encode({ epoch: 2n, item: { case: "zoneMode", value: { zone: "pii", mode: Mode.LOGGING } } }));
    snapshot = applyControlRecord(
      snapshot,
      "exception/e1",
      encode({ epoch: 4n, item: { case: "exception", value: { id: "e1", zone: "banana", producer: "svc:a", sink: "kafka:*", expiresAt: timestampFromMs(5000) } } }),
    );
    expect(snapshot.bundle).toEqual({ version: "sha256:ab", files: [{ path: "a.yaml", content: "a" }, { path: "z.yaml", content: "b" }] });
    expect(runtimeStateOf(snapshot)).toEqual({
      epoch: 4,
      zoneModes: new Map([["banana", "enforcement"], ["pii", "logging"]]),
      exceptions: [{ id: "e1", zone: "banana", producer: "svc:a", sink: "kafka:*", expiresAtMs: 5000 }],
    });
  });

  it("lets a later record for the same key win, as compaction would", () => {
    let snapshot = applyControlRecord(EMPTY_SNAPSHOT, "zone/banana", encode({ epoch: 1n, item: { case: "zoneMode", value: { zone: "banana", mode: Mode.ENFORCEMENT } } }));
    snapshot = applyControlRecord(snapshot, "zone/banana", encode({ epoch: 2n, item: { case: "zoneMode", value: { zone: "banana", mode: Mode.LOGGING } } }));
    expect(snapshot.zoneModes.get("banana")).toBe("logging");
  });

  describe("tombstones", () => {
    const flipped = applyControlRecord(EMPTY_SNAPSHOT, "zone/banana", encode({ epoch: 5n, item: { case: "zoneMode", value: { zone: "banana", mode: Mode.ENFORCEMENT } } }));
    const state = applyControlRecord(
      applyControlRecord(flipped, "zone/pii", encode({ epoch: 6n, item: { case: "zoneMode", value: { zone: "pii", mode: Mode.OFF } } })),
      "exception/e1",
      encode({ epoch: 7n, item: { case: "exception", value: { id: "e1", zone: "banana", producer: "svc:a", sink: "kafka:b", expiresAt: timestampFromMs(1) } } }),
    );

    it.each([
      { key: "zone/banana", zoneModes: [["pii", "off"]], exceptions: ["e1"] },
      { key: "exception/e1", zoneModes: [["banana", "enforcement"], ["pii", "off"]], exceptions: [] },
    ])("$key removes that item only and keeps the epoch", ({ key, zoneModes, exceptions }) => {
      const after = applyControlRecord(state, key, null);
      expect(after).not.toBe(state);
      expect(after.epoch).toBe(7);
      expect([...after.zoneModes]).toEqual(zoneModes);
      expect([...after.exceptions.keys()]).toEqual(exceptions);
      expect(after.bundle).toBe(state.bundle);
    });

    it.each(["zone/apple", "exception/e2", "bundle", "something/else"])("%s (not held, or neither a zone nor an exception key) leaves the snapshot as it is", (key) => {
      expect(applyControlRecord(state, key, null)).toBe(state);
    });

    it("lets a zone mode written after the tombstone apply again", () => {
      const cleared = applyControlRecord(state, "zone/banana", null);
      const again = applyControlRecord(cleared, "zone/banana", encode({ epoch: 8n, item: { case: "zoneMode", value: { zone: "banana", mode: Mode.LOGGING } } }));
      expect(again.zoneModes.get("banana")).toBe("logging");
      expect(again.epoch).toBe(8);
    });
  });

  it("names the key of a record it cannot use", () => {
    expect(() => applyControlRecord(EMPTY_SNAPSHOT, "zone/x", encode({ epoch: 1n, item: { case: "zoneMode", value: { zone: "x", mode: Mode.UNSPECIFIED } } }))).toThrow('control record "zone/x" has no valid mode');
    expect(() => applyControlRecord(EMPTY_SNAPSHOT, "zone/x", Uint8Array.from([0xff, 0xff, 0xff]))).toThrow();
  });
});
