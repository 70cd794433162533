import { parseClientProperties } from "./client-properties";
import { kafkaClientConfig } from "./kafka-client-config";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const FILES: Record<string, string> = { "/ca.pem": PEM, "/client.pem": PEM, "/client.key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n", "/notes.txt": "not a certificate" };

function readText(path: string): string {
  const text = FILES[path];
  if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
  return text;
}

function configOf(lines: readonly string[]) {
  return kafkaClientConfig("client.properties", parseClientProperties(lines.join("\n")), readText);
}

describe("kafkaClientConfig", () => {
  it.each([
    ["an empty file: plaintext, no SASL", [], { tls: undefined, sasl: undefined }],
    ["PLAINTEXT", ["security.protocol=PLAINTEXT"], { tls: undefined, sasl: undefined }],
    ["SSL with a CA", ["security.protocol=SSL", "ssl.ca.location=/ca.pem"], { tls: { ca: PEM, cert: undefined, key: undefined, passphrase: undefined }, sasl: undefined }],
    ["SSL with Node's default roots", ["security.protocol=ssl"], { tls: { ca: undefined, cert: undefined, key: undefined, passphrase: undefined }, sasl: undefined }],
    [
      "SSL with a client certificate",
      ["security.protocol=SSL", "ssl.certificate.location=/client.pem", "ssl.key.location=/client.key", "ssl.key.password=secret"],
      { tls: { ca: undefined, cert: PEM, key: FILES["/client.key"], passphrase: "secret" }, sasl: undefined },
    ],
    [
      "SASL_PLAINTEXT with PLAIN",
      ["security.protocol=SASL_PLAINTEXT", "sasl.mechanisms=PLAIN", "sasl.username=u", "sasl.password=p"],
      { tls: undefined, sasl: { mechanism: "plain", username: "u", password: "p" } },
    ],
    [
      "SASL_SSL with SCRAM-SHA-256",
      ["security.protocol=SASL_SSL", "sasl.mechanisms=SCRAM-SHA-256", "sasl.username=u", "sasl.password=p", "ssl.ca.location=/ca.pem"],
      { tls: { ca: PEM, cert: undefined, key: undefined, passphrase: undefined }, sasl: { mechanism: "scram-sha-256", username: "u", password: "p" } },
    ],
    [
      "SASL_SSL with SCRAM-SHA-512 under librdkafka's alias sasl.mechanism",
      ["security.protocol=SASL_SSL", "sasl.mechanism=scram-sha-512", "sasl.username=u", "sasl.password=p"],
      { sasl: { mechanism: "scram-sha-512", username: "u", password: "p" } },
    ],
  ])("maps %s", (_, lines, expected) => {
    expect(configOf(lines)).toMatchObject({ file: "client.properties", ...expected });
  });

  it("reads bootstrap.servers as broker addresses", () => {
    expect(configOf(["bootstrap.servers=kafka-1:9093, kafka-2:9093"]).bootstrapServers).toEqual(["kafka-1:9093", "kafka-2:9093"]);
    expect(configOf([]).bootstrapServers).toBeUndefined();
  });

  it.each([
    ["a property flowzone does not understand", ["security.protocol=SSL", "ssl.endpoint.identification.algorithm=none"], /^line 2: flowzone does not understand the property ssl.endpoint.identification.algorithm; it understands bootstrap.servers, /],
    ["an unknown protocol", ["security.protocol=TLS"], /^line 1: security.protocol: "TLS" is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL$/],
    ["an unsupported mechanism", ["security.protocol=SASL_SSL", "sasl.mechanisms=GSSAPI", "sasl.username=u", "sasl.password=p"], /^line 2: sasl.mechanisms: "GSSAPI" is not supported; use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512$/],
    ["SASL without a username", ["security.protocol=SASL_SSL", "sasl.mechanisms=PLAIN", "sasl.password=p"], /^security.protocol SASL_SSL \(line 1\) needs sasl.username$/],
    ["SASL without mechanism or password", ["security.protocol=SASL_PLAINTEXT", "sasl.username=u"], /^security.protocol SASL_PLAINTEXT \(line 1\) needs sasl.mechanisms and sasl.password$/],
    ["both sasl.mechanisms and sasl.mechanism", ["security.protocol=SASL_SSL", "sasl.mechanisms=PLAIN", "sasl.mechanism=PLAIN", "sasl.username=u", "sasl.password=p"], /^line 2: sasl.mechanisms: is also given as sasl.mechanism/],
    ["SASL credentials the protocol would ignore", ["sasl.username=u"], /^line 1: sasl.username: security.protocol PLAINTEXT \(the default\) does not use SASL; /],
    ["TLS files the protocol would ignore", ["security.protocol=SASL_PLAINTEXT", "ssl.ca.location=/ca.pem"], /^line 2: ssl.ca.location: security.protocol SASL_PLAINTEXT \(line 1\) does not use TLS; /],
    ["an unreadable CA file", ["security.protocol=SSL", "ssl.ca.location=/missing.pem"], /^line 2: ssl.ca.location: cannot read "\/missing.pem": ENOENT/],
    ["a CA file without PEM", ["security.protocol=SSL", "ssl.ca.location=/notes.txt"], /^line 2: ssl.ca.location: "\/notes.txt" holds no PEM block/],
    ["a client certificate without its key", ["security.protocol=SSL", "ssl.certificate.location=/client.pem"], /^line 2: ssl.certificate.location: needs ssl.key.location/],
    ["a key without its certificate", ["security.protocol=SSL", "ssl.key.location=/client.key"], /^line 2: ssl.key.location: needs ssl.certificate.location/],
    ["bad bootstrap.servers", ["bootstrap.servers=kafka-1"], /^line 1: bootstrap.servers: "kafka-1" is not comma-separated host:port pairs$/],
  ])("refuses %s, naming the line and the property", (_, lines, message) => {
    expect(() => configOf(lines)).toThrow(message);
  });
});
