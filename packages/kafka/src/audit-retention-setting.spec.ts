import { AUDIT_RETENTION_SETTING, DEFAULT_AUDIT_RETENTION_MS } from "./audit-retention-setting";

describe("AUDIT_RETENTION_SETTING", () => {
  it("keeps the trail forever unless told otherwise", () => {
    expect(AUDIT_RETENTION_SETTING.resolve(undefined)).toBe(DEFAULT_AUDIT_RETENTION_MS);
    expect(DEFAULT_AUDIT_RETENTION_MS).toBe(-1);
    expect(AUDIT_RETENTION_SETTING.defaultText).toBe("-1");
  });

  it("takes -1 or a day or more", () => {
    expect(AUDIT_RETENTION_SETTING.resolve("-1")).toBe(-1);
    expect(AUDIT_RETENTION_SETTING.resolve("86400000")).toBe(86_400_000);
    expect(AUDIT_RETENTION_SETTING.resolve("31536000000")).toBe(31_536_000_000);
  });

  it.each(["0", "3600000", "-2", "7d", "1e12", ""])("refuses %p, saying what it takes", (text) => {
    expect(() => AUDIT_RETENTION_SETTING.resolve(text)).toThrow("must be -1 (keep forever) or a whole number of ms from 86400000 (one day)");
  });
});
