import { AuditSampler } from "./audit-sampler";

describe("AuditSampler", () => {
  it("audits no clean allow by default", () => {
    const sampler = new AuditSampler();
    expect(Array.from({ length: 1000 }, () => sampler.shouldAudit()).some(Boolean)).toBe(false);
  });

  it.each([
    [0.25, 0.1, true],
    [0.25, 0.25, false],
    [1, 0.999, true],
  ])("with rate %p and a draw of %p audits: %p", (rate, draw, expected) => {
    expect(new AuditSampler(rate, () => draw).shouldAudit()).toBe(expected);
  });

  it.each([-0.1, 1.5, Number.NaN])("rejects rate %p", (rate) => {
    expect(() => new AuditSampler(rate)).toThrow(/between 0 and 1/);
  });
});
