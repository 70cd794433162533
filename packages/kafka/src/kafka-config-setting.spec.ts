import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { readSettings } from "@flowzone/service-kit";

import { KAFKA_CONFIG_SETTING, configuredBrokers } from "./kafka-config-setting";

const dir = mkdtempSync(path.join(os.tmpdir(), "flowzone-kafka-config-"));
const settings = { kafkaConfig: KAFKA_CONFIG_SETTING };

function fileWith(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function errorOf(file: string): { readonly code: unknown; readonly message: string } {
  try {
    readSettings(settings, { env: { FLOWZONE_KAFKA_CONFIG: file } });
  } catch (error) {
    if (typeof error === "object" && error !== null && "code" in error && "message" in error) return { code: error.code, message: String(error.message) };
  }
  throw new Error("expected an invalid_config error");
}

describe("FLOWZONE_KAFKA_CONFIG", () => {
  it("is inert when unset", () => {
    expect(readSettings(settings, { env: {} }).kafkaConfig).toBeUndefined();
  });

  it("reads the file and the PEM files it names", () => {
    const ca = fileWith("ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    const file = fileWith("good.properties", `security.protocol=SASL_SSL\nsasl.mechanisms=SCRAM-SHA-256\nsasl.username=pdp\nsasl.password=pw\nssl.ca.location=${ca}\n`);
    const { kafkaConfig } = readSettings(settings, { env: { FLOWZONE_KAFKA_CONFIG: file } });
    expect(kafkaConfig).toMatchObject({ file, sasl: { mechanism: "scram-sha-256", username: "pdp", password: "pw" } });
    expect(kafkaConfig?.tls?.ca).toContain("-----BEGIN CERTIFICATE-----");
  });

  it("stops start-up with invalid_config naming the variable, the file, the line and the property", () => {
    const file = fileWith("bad.properties", "# ours\nsecurity.protocol=SASL_SSL\nsasl.kerberos.service.name=kafka\n");
    const error = errorOf(file);
    expect(error.code).toBe("invalid_config");
    expect(error.message).toBe(`FLOWZONE_KAFKA_CONFIG: "${file}" line 3: flowzone does not understand the property sasl.kerberos.service.name; it understands ${[
      "bootstrap.servers", "security.protocol", "sasl.mechanisms", "sasl.mechanism", "sasl.username", "sasl.password", "ssl.ca.location", "ssl.certificate.location", "ssl.key.location", "ssl.key.password",
    ].join(", ")}`);
  });

  it("refuses an unreadable file with invalid_config", () => {
    const error = errorOf(path.join(dir, "missing.properties"));
    expect(error.code).toBe("invalid_config");
    expect(error.message).toMatch(/^FLOWZONE_KAFKA_CONFIG: ".*missing.properties" cannot be read: ENOENT: no such file or directory/);
  });

  it("gives bootstrap.servers only when no brokers are given", () => {
    const config = { file: "f", bootstrapServers: ["kafka:9093"] };
    expect(configuredBrokers(undefined, config)).toEqual(["kafka:9093"]);
    expect(configuredBrokers(["other:9092"], config)).toEqual(["other:9092"]);
    expect(configuredBrokers(undefined, undefined)).toBeUndefined();
  });
});
