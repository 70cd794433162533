import { FlowzoneError } from "@flowzone/errors";

import { choice, integer, parsed, port, requiredText, text } from "./setting-kinds";
import { readSettings } from "./settings";

const SETTINGS = {
  policyDir: requiredText({ env: "FLOWZONE_POLICY", flag: "policy", description: "bundle", what: "policy directory" }),
  host: text({ env: "FLOWZONE_PDP_HOST", flag: "host", description: "host", default: "127.0.0.1" }),
  port: port({ env: "FLOWZONE_PDP_PORT", flag: "port", description: "port", default: 50051 }),
  timeoutMs: integer({ env: "FLOWZONE_TIMEOUT_MS", description: "timeout", default: undefined, min: 6000, max: 300_000 }),
  level: choice({ env: "FLOWZONE_LOG_LEVEL", description: "level", choices: ["info", "debug"], default: "info" }),
  list: parsed({ env: "FLOWZONE_LIST", description: "list", parse: (t) => t.split(",") }),
};

function errorOf(run: () => unknown): FlowzoneError {
  try {
    run();
  } catch (error) {
    if (error instanceof FlowzoneError) return error;
    throw error;
  }
  throw new Error("did not throw");
}

describe("readSettings", () => {
  const env = { FLOWZONE_POLICY: "bundle" };

  it("fills defaults, and leaves optional settings without one undefined", () => {
    expect(readSettings(SETTINGS, { env })).toEqual({ policyDir: "bundle", host: "127.0.0.1", port: 50051, timeoutMs: undefined, level: "info", list: undefined });
  });

  it("takes a flag over its environment variable over the default", () => {
    const values = readSettings(SETTINGS, { env: { ...env, FLOWZONE_PDP_PORT: "7000", FLOWZONE_PDP_HOST: "0.0.0.0" }, flags: { port: "7001" } });
    expect(values.port).toBe(7001);
    expect(values.host).toBe("0.0.0.0");
  });

  it("treats an empty environment variable as unset, and trims blanks", () => {
    expect(readSettings(SETTINGS, { env: { ...env, FLOWZONE_PDP_PORT: "", FLOWZONE_LOG_LEVEL: " DEBUG " } })).toMatchObject({ port: 50051, level: "debug" });
  });

  it.each<[string, Record<string, string>, Record<string, string>, RegExp]>([
    ["a required setting missing", {}, {}, /^--policy: no policy directory given; pass --policy or set FLOWZONE_POLICY$/],
    ["an empty flag", env, { port: "" }, /^--port: must not be empty$/],
    ["a port out of range", { ...env, FLOWZONE_PDP_PORT: "70000" }, {}, /^FLOWZONE_PDP_PORT: "70000" is not a port/],
    ["a port that is not a number", env, { port: "http" }, /^--port: "http" is not a port/],
    ["an integer out of bounds", { ...env, FLOWZONE_TIMEOUT_MS: "10" }, {}, /^FLOWZONE_TIMEOUT_MS: "10" must be a whole number from 6000 to 300000$/],
    ["a word not in the set", { ...env, FLOWZONE_LOG_LEVEL: "loud" }, {}, /^FLOWZONE_LOG_LEVEL: "loud" must be one of info, debug$/],
  ])("refuses %s with invalid_config naming the setting", (_name, environment, flags, message) => {
    const error = errorOf(() => readSettings(SETTINGS, { env: environment, flags }));
    expect(error.code).toBe("invalid_config");
    expect(error.message).toMatch(message);
    expect(error.details.fieldViolations?.[0]?.field).toBe(error.message.split(":")[0]);
  });
});
