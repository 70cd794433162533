import { FlowzoneError } from "@flowzone/errors";

import { isLoopbackHost, requireTokensOffLoopback } from "./loopback";

describe("isLoopbackHost", () => {
  it.each(["127.0.0.1", "127.0.0.53", "127.255.255.254", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "::1%lo", "localhost", "LocalHost"])("%s is loopback", (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(["0.0.0.0", "::", "10.1.2.3", "192.168.0.10", "128.0.0.1", "::ffff:10.0.0.1", "fe80::1", "2001:db8::1", "example.com", "localhost.example.com", "my-host", "[::1]", "127.1", ""])("%p is not", (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe("requireTokensOffLoopback", () => {
  it("lets any host through with tokens, and a loopback host without", () => {
    expect(() => {
      requireTokensOffLoopback("0.0.0.0", true, "FLOWZONE_CONTROL_HOST");
      requireTokensOffLoopback("::1", false, "FLOWZONE_CONTROL_HOST");
    }).not.toThrow();
  });

  it("refuses a host off loopback without tokens as invalid_config, naming the setting, the host and the fix", () => {
    let refused: unknown;
    try {
      requireTokensOffLoopback("0.0.0.0", false, "--host");
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(FlowzoneError);
    expect(refused).toMatchObject({
      code: "invalid_config",
      message:
        '--host: "0.0.0.0" is not a loopback address, and without a token file the control API would be open to anyone who can reach it; ' +
        "set FLOWZONE_TOKENS (--tokens) to a bearer token file (docs/reference/http-api.md#auth-and-exposure), or bind 127.0.0.1",
    });
  });
});
