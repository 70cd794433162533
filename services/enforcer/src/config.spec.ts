import { FlowzoneError } from "@flowzone/errors";

import { enforcerConfig } from "./config";

const required = { FLOWZONE_POLICY: "bundle", FLOWZONE_ROUTES: "routes.yaml" };

describe("enforcerConfig: TLS of /metrics", () => {
  it("is plaintext without FLOWZONE_TLS_CERT and FLOWZONE_TLS_KEY", () => {
    expect(enforcerConfig({ env: required }).tls).toBeUndefined();
  });

  it("refuses a certificate without its key, naming both variables", () => {
    let error: unknown;
    try {
      enforcerConfig({ env: { ...required, FLOWZONE_TLS_CERT: "/etc/flowzone/tls.crt" } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FlowzoneError);
    expect((error as FlowzoneError).message).toBe("FLOWZONE_TLS_CERT: is set without FLOWZONE_TLS_KEY; TLS needs both the certificate and its key");
  });
});
