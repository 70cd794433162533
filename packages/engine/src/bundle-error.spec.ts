import { formatBundleError } from "./bundle-error";

describe("formatBundleError", () => {
  it("prints file:line: message", () => {
    expect(formatBundleError({ file: "examples/bundle/zones.yaml", line: 12, message: 'zone "banana" protects undeclared label "bananna"' })).toBe(
      'examples/bundle/zones.yaml:12: zone "banana" protects undeclared label "bananna"',
    );
  });
});
