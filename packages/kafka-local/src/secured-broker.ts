import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { makeBrokerCertificates } from "./broker-certificates";
import { javaProcess, kafkaRuntime, runToCompletion } from "./java-tool";
import { startLocalBroker, type BrokerSecurity, type LocalBroker } from "./local-broker";
import { BROKER_PRINCIPAL, brokerAclCommands, SECURED_PRINCIPALS, type SecuredPrincipal } from "./secured-broker-principals";

/** The principal Kafka gives a TLS client presenting the broker's certificate (the controller listener's only client). */
const BROKER_CERTIFICATE_PRINCIPAL = "CN=localhost";

type Passwords = Readonly<Record<SecuredPrincipal | typeof BROKER_PRINCIPAL, string>>;

/** The one SASL mechanism of the secured broker. */
const MECHANISM = "SCRAM-SHA-256";

/** Options for {@link startSecuredBroker}. */
export interface SecuredBrokerOptions {
  /** Folder of the broker's jars, from `ensureKafkaJars`. */
  readonly libsDir: string;
  /** Folder for this broker's certificates, passwords, data and log (created; a fresh one per run). */
  readonly workDir: string;
  readonly startTimeoutMs?: number;
}

/** A running secured broker and how each principal connects to it. */
export interface SecuredBroker extends LocalBroker {
  /** The CA clients trust. */
  readonly caFile: string;
  /**
   * Per principal, a client properties file in librdkafka's names (`FLOWZONE_KAFKA_CONFIG`,
   * `kcat -F`): bootstrap.servers, SASL_SSL, SCRAM-SHA-256, its password, the CA.
   */
  readonly clientProperties: Readonly<Record<SecuredPrincipal, string>>;
}

/**
 * Starts a single-node KRaft broker whose one client listener is SASL_SSL on loopback: a
 * certificate made now by openssl, SCRAM-SHA-256 users created when storage is formatted (random
 * passwords), and KRaft's StandardAuthorizer with flowzone's ACLs ({@link brokerAclCommands}).
 * The controller listener takes TLS clients with the broker's own certificate only (client
 * authentication required); that principal is a super user so the broker can register with its
 * own controller.
 */
export async function startSecuredBroker(options: SecuredBrokerOptions): Promise<SecuredBroker> {
  await mkdir(options.workDir, { recursive: true });
  const certificates = await makeBrokerCertificates(options.workDir);
  const users = [BROKER_PRINCIPAL, ...SECURED_PRINCIPALS] as const;
  const passwords = Object.fromEntries(users.map((name) => [name, randomBytes(16).toString("hex")])) as Passwords;
  const broker = await startLocalBroker({
    libsDir: options.libsDir,
    workDir: options.workDir,
    ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }),
    security: brokerSecurity(certificates, passwords),
  });
  try {
    const file = (name: string): string => path.join(options.workDir, name);
    const clientProperties = {} as Record<SecuredPrincipal, string>;
    for (const name of SECURED_PRINCIPALS) {
      clientProperties[name] = file(`${name}.client.properties`);
      await writeFile(clientProperties[name], librdkafkaProperties(broker.brokers, name, passwords[name], certificates.caFile), { mode: 0o600 });
    }
    const adminConfig = file("admin.java.properties");
    await writeFile(adminConfig, javaClientProperties("admin", passwords.admin, certificates.caFile), { mode: 0o600 });
    const { runtime, kafka } = await kafkaRuntime(options.libsDir, options.workDir, 256);
    // kafka-acls moved from the broker's jar to kafka-tools, under a new name, in Kafka 4.0.
    const aclCommand = kafka.major === 3 ? "kafka.admin.AclCommand" : "org.apache.kafka.tools.AclCommand";
    // Side by side (each run spends most of its seconds starting a JVM; the ACLs do not depend on
    // each other), and all of them ended before a failure stops the broker.
    const runs = await Promise.allSettled(
      brokerAclCommands().map((args) => runToCompletion(javaProcess(runtime, aclCommand, ["--bootstrap-server", broker.brokers, "--command-config", adminConfig, ...args]), "creating the broker's ACLs")),
    );
    const failed = runs.find((run) => run.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    return { ...broker, caFile: certificates.caFile, clientProperties };
  } catch (error) {
    await broker.stop();
    throw error;
  }
}

function brokerSecurity(certificates: { readonly caFile: string; readonly keyStoreFile: string }, passwords: Passwords): BrokerSecurity {
  return {
    properties: ({ brokerPort, controllerPort }) => ({
      listeners: `SASL_SSL://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
      "advertised.listeners": `SASL_SSL://127.0.0.1:${brokerPort}`,
      "listener.security.protocol.map": "SASL_SSL:SASL_SSL,CONTROLLER:SSL",
      "listener.name.controller.ssl.client.auth": "required",
      "inter.broker.listener.name": "SASL_SSL",
      "sasl.enabled.mechanisms": MECHANISM,
      "sasl.mechanism.inter.broker.protocol": MECHANISM,
      [`listener.name.sasl_ssl.${MECHANISM.toLowerCase()}.sasl.jaas.config`]: scramLogin(BROKER_PRINCIPAL, passwords.broker),
      "ssl.keystore.type": "PEM",
      "ssl.keystore.location": certificates.keyStoreFile,
      "ssl.truststore.type": "PEM",
      "ssl.truststore.location": certificates.caFile,
      "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
      "super.users": `User:${BROKER_PRINCIPAL};User:admin;User:${BROKER_CERTIFICATE_PRINCIPAL}`,
    }),
    formatArgs: Object.entries(passwords).flatMap(([name, password]) => ["--add-scram", `${MECHANISM}=[name=${name},password=${password}]`]),
  };
}

function scramLogin(name: string, password: string): string {
  return `org.apache.kafka.common.security.scram.ScramLoginModule required username="${name}" password="${password}";`;
}

function librdkafkaProperties(brokers: string, name: string, password: string, caFile: string): string {
  return [
    `# ${name} on the secured local broker (FLOWZONE_KAFKA_CONFIG, kcat -F)`,
    `bootstrap.servers=${brokers}`,
    "security.protocol=SASL_SSL",
    `sasl.mechanisms=${MECHANISM}`,
    `sasl.username=${name}`,
    `sasl.password=${password}`,
    `ssl.ca.location=${caFile}`,
    "",
  ].join("\n");
}

/** The same for Kafka's Java tools (kafka-acls), which take JAAS and a PEM trust store. */
function javaClientProperties(name: string, password: string, caFile: string): string {
  return [
    "security.protocol=SASL_SSL",
    `sasl.mechanism=${MECHANISM}`,
    `sasl.jaas.config=${scramLogin(name, password)}`,
    "ssl.truststore.type=PEM",
    `ssl.truststore.location=${caFile}`,
    "",
  ].join("\n");
}
