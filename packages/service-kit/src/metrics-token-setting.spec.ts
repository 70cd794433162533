import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { FlowzoneError } from "@flowzone/errors";

import { METRICS_TOKEN_FILE_SETTING } from "./metrics-token-setting";
import { readSettings } from "./settings";

const TOKEN = "scrape-token-0123456789abcdef";
const dir = mkdtempSync(path.join(tmpdir(), "flowzone-metrics-token-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function fileWith(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

function read(file: string | undefined): string | undefined {
  return readSettings({ metricsToken: METRICS_TOKEN_FILE_SETTING }, { env: file === undefined ? {} : { FLOWZONE_METRICS_TOKEN_FILE: file } }).metricsToken;
}

describe("METRICS_TOKEN_FILE_SETTING", () => {
  it("is undefined when unset, and the file's token, blanks and line break trimmed, when set", () => {
    expect(read(undefined)).toBeUndefined();
    expect(read(fileWith("ok", `  ${TOKEN}\n`))).toBe(TOKEN);
  });

  it.each([
    ["empty", "\n", "is empty; put one bearer token in the metrics token file"],
    ["two-words", `${TOKEN} ${TOKEN}\n`, "holds more than one word; the metrics token file holds one token without blanks"],
    ["short", "short-token\n", "holds a token shorter than 16 characters; use a long random one (openssl rand -hex 32)"],
  ])("refuses a file that is %s as invalid_config naming the variable and the file, without quoting it", (name, content, reason) => {
    const file = fileWith(name, content);
    expect(() => read(file)).toThrow(FlowzoneError);
    expect(() => read(file)).toThrow(`FLOWZONE_METRICS_TOKEN_FILE: "${file}" ${reason}`);
  });

  it("refuses a file that cannot be read, naming it", () => {
    const file = path.join(dir, "missing");
    expect(() => read(file)).toThrow(`FLOWZONE_METRICS_TOKEN_FILE: "${file}" cannot be read as the metrics token file: ENOENT`);
  });
});
