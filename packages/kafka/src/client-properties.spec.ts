import { parseClientProperties } from "./client-properties";

describe("parseClientProperties", () => {
  it("reads key=value lines as kcat -F does: comments and blank lines skipped, blanks trimmed, split at the first =", () => {
    const text = ["# a kcat file", "", "security.protocol = SASL_SSL", "  sasl.password=a=b#c  ", "\r", "sasl.username=flowzone\r"].join("\n");
    expect(parseClientProperties(text)).toEqual([
      { key: "security.protocol", value: "SASL_SSL", line: 3 },
      { key: "sasl.password", value: "a=b#c", line: 4 },
      { key: "sasl.username", value: "flowzone", line: 6 },
    ]);
  });

  it.each([
    ["a line without =", "security.protocol=SSL\nsasl.username", /^line 2: expected key=value, got "sasl.username"$/],
    ["a line with no key", "=SSL", /^line 1: expected key=value/],
    ["a key given twice", "security.protocol=SSL\n\nsecurity.protocol=SASL_SSL", /^line 3: security.protocol is already given at line 1$/],
  ])("refuses %s, naming the line", (_, text, message) => {
    expect(() => parseClientProperties(text)).toThrow(message);
  });
});
