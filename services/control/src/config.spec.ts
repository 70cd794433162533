import { controlServiceConfig } from "./config";
import { ConfigError } from "./config-error";

describe("controlServiceConfig", () => {
  it("applies the contract's defaults and runs open without FLOWZONE_TOKENS", () => {
    expect(controlServiceConfig({}, {})).toEqual({ host: "127.0.0.1", httpPort: 8080, grpcPort: 50052, tokensFile: undefined });
  });

  it.each([
    [
      "env over defaults",
      { FLOWZONE_CONTROL_HOST: "0.0.0.0", FLOWZONE_CONTROL_PORT: "9000", FLOWZONE_CONTROL_GRPC_PORT: "9001", FLOWZONE_TOKENS: "/etc/t.yaml" },
      {},
      { host: "0.0.0.0", httpPort: 9000, grpcPort: 9001, tokensFile: "/etc/t.yaml" },
    ],
    [
      "flags over env",
      { FLOWZONE_CONTROL_HOST: "0.0.0.0", FLOWZONE_CONTROL_PORT: "9000", FLOWZONE_CONTROL_GRPC_PORT: "9001", FLOWZONE_TOKENS: "/etc/t.yaml" },
      { host: "::1", httpPort: "7000", grpcPort: "7001", tokens: "/flag.yaml" },
      { host: "::1", httpPort: 7000, grpcPort: 7001, tokensFile: "/flag.yaml" },
    ],
    ["port 0 twice picks two free ports", { FLOWZONE_CONTROL_PORT: "0", FLOWZONE_CONTROL_GRPC_PORT: "0" }, {}, { httpPort: 0, grpcPort: 0 }],
  ])("%s", (_name, env, flags, expected) => {
    expect(controlServiceConfig(env, flags)).toMatchObject(expected);
  });

  it.each([
    [{ FLOWZONE_CONTROL_PORT: "http" }, {}, 'FLOWZONE_CONTROL_PORT: "http" is not a port; use an integer from 0 to 65535 (0 picks a free port)'],
    [{}, { grpcPort: "70000" }, '--grpc-port: "70000" is not a port; use an integer from 0 to 65535 (0 picks a free port)'],
    [{}, { httpPort: "-1" }, '--http-port: "-1" is not a port; use an integer from 0 to 65535 (0 picks a free port)'],
    [{ FLOWZONE_TOKENS: " " }, {}, "FLOWZONE_TOKENS: must not be empty"],
    [{ FLOWZONE_CONTROL_PORT: "9000", FLOWZONE_CONTROL_GRPC_PORT: "9000" }, {}, "FLOWZONE_CONTROL_GRPC_PORT: 9000 is also the HTTP port; HTTP and gRPC need different ports"],
  ])("rejects %j with flags %j", (env, flags, message) => {
    expect(() => controlServiceConfig(env, flags)).toThrow(ConfigError);
    expect(() => controlServiceConfig(env, flags)).toThrow(message);
  });
});
