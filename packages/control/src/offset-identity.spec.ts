import { incarnationChange, type PartitionView, type StoredPosition } from "./offset-identity";

const stored: StoredPosition = { nextOffset: 3, clusterId: "cluster-a", lastRecordId: "rec-2" };
const view = (overrides: Partial<PartitionView> = {}): PartitionView => ({
  clusterId: "cluster-a",
  highWatermark: 10,
  recordIds: new Map([[2, "rec-2"], [3, "rec-3"]]),
  ...overrides,
});

describe("incarnationChange", () => {
  it.each<[string, StoredPosition, PartitionView, RegExp | undefined]>([
    ["the same incarnation", stored, view(), undefined],
    ["nothing stored yet", { nextOffset: 0, clusterId: null, lastRecordId: null }, view({ highWatermark: 0, recordIds: new Map() }), undefined],
    ["a row from before cluster ids were kept", { ...stored, clusterId: null }, view({ clusterId: "cluster-b" }), undefined],
    ["another cluster (a new broker under an old database)", stored, view({ clusterId: "cluster-b" }), /cluster cluster-b.*cluster cluster-a/],
    ["an offset beyond the partition's end", stored, view({ highWatermark: 1, recordIds: new Map([[0, "x"]]) }), /offset 3 lies beyond the partition's end \(1\)/],
    ["the stored offset exactly at the end is not beyond it", stored, view({ highWatermark: 3, recordIds: new Map() }), undefined],
    ["another record where the last counted one was (a recreated topic)", stored, view({ recordIds: new Map([[2, "other"]]) }), /offset 2 is other, not rec-2/],
    ["the batch does not reach the last counted record", stored, view({ recordIds: new Map([[5, "rec-5"]]) }), undefined],
    ["a record without an id proves nothing", stored, view({ recordIds: new Map([[2, ""]]) }), undefined],
  ])("%s", (_name, position, partition, expected) => {
    const reason = incarnationChange(position, partition);
    if (expected === undefined) expect(reason).toBeUndefined();
    else expect(reason).toMatch(expected);
  });
});
