import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { isTerminal, parseLogFormat, selectLogFormat, type LogFormat, type LogFormatChoice } from "./log-format";

describe("selectLogFormat", () => {
  it.each<[LogFormatChoice, boolean, LogFormat]>([
    ["auto", true, "pretty"],
    ["auto", false, "json"],
    ["json", true, "json"],
    ["json", false, "json"],
    ["pretty", true, "pretty"],
    ["pretty", false, "pretty"],
  ])("%s on a terminal=%s writes %s", (choice, terminal, expected) => {
    expect(selectLogFormat(choice, terminal)).toBe(expected);
  });
});

describe("parseLogFormat", () => {
  it.each([
    ["json", "json"],
    ["pretty", "pretty"],
    ["auto", "auto"],
    [" JSON ", "json"],
  ])("accepts %j", (text, expected) => {
    expect(parseLogFormat(text)).toBe(expected);
  });

  it.each(["", "text", "yaml"])("refuses %j, naming the setting and the accepted values", (text) => {
    expect(() => parseLogFormat(text)).toThrow(/^FLOWZONE_LOG_FORMAT must be one of auto, json, pretty/);
  });
});

describe("isTerminal", () => {
  it("believes a stream's isTTY", () => {
    expect(isTerminal({ isTTY: true, write: () => undefined })).toBe(true);
    expect(isTerminal({ isTTY: false, write: () => undefined })).toBe(false);
  });

  it("asks the file descriptor of a stream that has one", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "flowzone-logging-")), "log");
    const fd = fs.openSync(file, "w");
    try {
      expect(isTerminal({ fd, write: () => undefined })).toBe(false);
    } finally {
      fs.closeSync(fd);
    }
  });

  it("takes a plain collector for a non-terminal", () => {
    expect(isTerminal({ write: () => undefined })).toBe(false);
  });
});
