import { signatureId } from "./signature";

const key = { zone: "banana", rule: "boundary", producer: "svc:app", sink: "kafka:ads", labels: ["b", "a"] };

describe("signatureId", () => {
  it("is stable and ignores label order and duplicates", () => {
    expect(signatureId(key)).toBe(signatureId({ ...key, labels: ["a", "b", "a"] }));
    expect(signatureId(key)).toMatch(/^[0-9a-f]{32}$/);
  });

  it.each([["zone"], ["rule"], ["producer"], ["sink"]] as const)("changes with the %s", (field) => {
    expect(signatureId({ ...key, [field]: "svc:other" })).not.toBe(signatureId(key));
  });

  it("does not confuse fields that concatenate alike", () => {
    expect(signatureId({ ...key, zone: "ab", rule: "c" })).not.toBe(signatureId({ ...key, zone: "a", rule: "bc" }));
  });
});
