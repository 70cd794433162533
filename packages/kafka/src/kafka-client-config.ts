import type { SASLOptions } from "kafkajs";

import type { ClientProperty } from "./client-properties";
import { parseBrokers } from "./parse-brokers";
import { errorMessage } from "./error-message";

/** The TLS material of a client: PEM text read from the files the properties name. */
export interface KafkaTls {
  /** CA certificates to trust; unset, Node's default roots. */
  readonly ca?: string | undefined;
  /** Client certificate and key, for brokers that require TLS client authentication. */
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  readonly passphrase?: string | undefined;
}

/** How every flowzone Kafka client connects, from the file `FLOWZONE_KAFKA_CONFIG` names. */
export interface KafkaClientConfig {
  /** The properties file, for messages. */
  readonly file: string;
  /** Set for SSL and SASL_SSL. */
  readonly tls?: KafkaTls | undefined;
  /** Set for SASL_PLAINTEXT and SASL_SSL. */
  readonly sasl?: SASLOptions | undefined;
  /** `bootstrap.servers`, used when neither `--brokers` nor `FLOWZONE_KAFKA_BROKERS` is given. */
  readonly bootstrapServers?: readonly string[] | undefined;
}

const PROTOCOLS = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] as const;
const MECHANISMS = { PLAIN: "plain", "SCRAM-SHA-256": "scram-sha-256", "SCRAM-SHA-512": "scram-sha-512" } as const;
/** The properties flowzone understands; any other is refused, never ignored. */
const KNOWN = [
  "bootstrap.servers",
  "security.protocol",
  "sasl.mechanisms",
  "sasl.mechanism",
  "sasl.username",
  "sasl.password",
  "ssl.ca.location",
  "ssl.certificate.location",
  "ssl.key.location",
  "ssl.key.password",
] as const;
type Known = (typeof KNOWN)[number];

/**
 * Maps the properties of a client properties file (librdkafka's names, as `kcat -F` takes them)
 * to kafkajs' `ssl` and `sasl` options, reading the PEM files they name with `readText`.
 *
 * @throws Error naming the line and the property: one flowzone does not understand, a bad value,
 * an unreadable file, a missing companion (SASL without `sasl.username`), or one the protocol
 * would ignore (`sasl.*` under `SSL`).
 */
export function kafkaClientConfig(file: string, properties: readonly ClientProperty[], readText: (path: string) => string): KafkaClientConfig {
  const unknown = properties.find((p) => !(KNOWN as readonly string[]).includes(p.key));
  if (unknown !== undefined) throw new Error(`line ${unknown.line}: flowzone does not understand the property ${unknown.key}; it understands ${KNOWN.join(", ")}`);
  const given = (key: Known): ClientProperty | undefined => properties.find((p) => p.key === key);
  const fail = (property: ClientProperty, reason: string): never => {
    throw new Error(`line ${property.line}: ${property.key}: ${reason}`);
  };

  const protocolLine = given("security.protocol");
  const protocol = protocolLine === undefined ? "PLAINTEXT" : PROTOCOLS.find((p) => p === protocolLine.value.toUpperCase());
  if (protocolLine !== undefined && protocol === undefined) fail(protocolLine, `"${protocolLine.value}" is not one of ${PROTOCOLS.join(", ")}`);
  const usesSasl = protocol === "SASL_PLAINTEXT" || protocol === "SASL_SSL";
  const usesTls = protocol === "SSL" || protocol === "SASL_SSL";
  const protocolName = `security.protocol ${protocol ?? ""}${protocolLine === undefined ? " (the default)" : ` (line ${protocolLine.line})`}`;

  const requireFor = (key: Known, needed: boolean, what: string): void => {
    const property = given(key);
    if (property !== undefined && !needed) fail(property, `${protocolName} does not use ${what}; remove the line or change the protocol`);
  };
  for (const key of KNOWN.filter((k) => k.startsWith("sasl."))) requireFor(key, usesSasl, "SASL");
  for (const key of KNOWN.filter((k) => k.startsWith("ssl."))) requireFor(key, usesTls, "TLS");

  const bootstrap = given("bootstrap.servers");
  const bootstrapServers = bootstrap === undefined ? undefined : brokersOf(bootstrap, fail);
  return {
    file,
    bootstrapServers,
    tls: usesTls ? tlsOf(given, fail, readText) : undefined,
    sasl: usesSasl ? saslOf(given, fail, protocolName) : undefined,
  };
}

type Given = (key: Known) => ClientProperty | undefined;
type Fail = (property: ClientProperty, reason: string) => never;

function brokersOf(property: ClientProperty, fail: Fail): string[] {
  try {
    return parseBrokers(property.value);
  } catch {
    return fail(property, `"${property.value}" is not comma-separated host:port pairs`);
  }
}

function saslOf(given: Given, fail: Fail, protocolName: string): SASLOptions {
  const mechanismLine = given("sasl.mechanisms") ?? given("sasl.mechanism");
  const username = given("sasl.username")?.value;
  const password = given("sasl.password")?.value;
  const missing = [mechanismLine === undefined ? "sasl.mechanisms" : undefined, username === undefined ? "sasl.username" : undefined, password === undefined ? "sasl.password" : undefined].filter(
    (key) => key !== undefined,
  );
  if (mechanismLine === undefined || username === undefined || password === undefined) throw new Error(`${protocolName} needs ${missing.join(" and ")}`);
  const mechanism = Object.entries(MECHANISMS).find(([name]) => name === mechanismLine.value.toUpperCase())?.[1];
  if (mechanism === undefined) return fail(mechanismLine, `"${mechanismLine.value}" is not supported; use ${Object.keys(MECHANISMS).join(", ")}`);
  if (given("sasl.mechanisms") !== undefined && given("sasl.mechanism") !== undefined) fail(mechanismLine, "is also given as sasl.mechanism; give one");
  return { mechanism, username, password };
}

function tlsOf(given: Given, fail: Fail, readText: (path: string) => string): KafkaTls {
  const pem = (key: Known): string | undefined => {
    const property = given(key);
    if (property === undefined) return undefined;
    let text: string;
    try {
      text = readText(property.value);
    } catch (error) {
      return fail(property, `cannot read "${property.value}": ${errorMessage(error)}`);
    }
    if (!text.includes("-----BEGIN ")) fail(property, `"${property.value}" holds no PEM block (-----BEGIN …)`);
    return text;
  };
  const certLine = given("ssl.certificate.location");
  const keyLine = given("ssl.key.location");
  if (certLine !== undefined && keyLine === undefined) fail(certLine, "needs ssl.key.location, the client certificate's key");
  if (keyLine !== undefined && certLine === undefined) fail(keyLine, "needs ssl.certificate.location, the key's certificate");
  const passwordLine = given("ssl.key.password");
  if (passwordLine !== undefined && keyLine === undefined) fail(passwordLine, "needs ssl.key.location, the key it opens");
  return { ca: pem("ssl.ca.location"), cert: pem("ssl.certificate.location"), key: pem("ssl.key.location"), passphrase: passwordLine?.value };
}
