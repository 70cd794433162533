/**
 * deploy/compose.yaml: valid against the Compose Specification's JSON schema (the copy the
 * dclint package ships), and the deployment it describes: three KRaft brokers, PostgreSQL, two
 * control planes, three decision services and three enforcers from deploy/Containerfile, every
 * one scraped by Prometheus, with settings the services actually read and files that exist.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import Ajv from "ajv";

import { DEPLOY, readDeployFile, unreadVariables, yamlDocuments } from "./deploy-files";

interface Service {
  readonly image?: string;
  readonly build?: { readonly context: string; readonly dockerfile: string };
  readonly command?: readonly string[];
  readonly environment?: Readonly<Record<string, string | number>>;
  readonly volumes?: readonly string[];
  readonly secrets?: readonly string[];
}

interface Compose {
  readonly services: Readonly<Record<string, Service>>;
  readonly secrets: Readonly<Record<string, { readonly file: string }>>;
}

const COMPOSE = yamlDocuments(readDeployFile("compose.yaml"))[0] as Compose;

function composeSchema(): object {
  // dclint exports only its package.json; the schema sits beside it.
  const schemaFile = path.join(path.dirname(require.resolve("dclint/package.json")), "schemas", "compose.schema.json");
  return JSON.parse(readFileSync(schemaFile, "utf8")) as object;
}

function servicesRunning(command: string): [string, Service][] {
  return Object.entries(COMPOSE.services).filter(([, service]) => service.command?.[0] === command);
}

describe("deploy/compose.yaml", () => {
  // The schema names its draft-07 meta-schema by an https URL ajv does not know as draft-07's: the
  // schema itself is not validated, the file is. strict: false, for its `deprecated` annotations.
  const validate = new Ajv({ allErrors: true, strict: false, validateSchema: false }).compile(composeSchema());

  it("is valid against the Compose Specification schema", () => {
    expect(validate(COMPOSE) ? [] : validate.errors).toEqual([]);
  });

  it("the schema check refuses what Compose would refuse", () => {
    const kafka = COMPOSE.services["kafka-1"];
    expect(validate({ ...COMPOSE, services: { ...COMPOSE.services, "kafka-1": { ...kafka, restart: ["always"] } } })).toBe(false);
    expect(validate({ ...COMPOSE, services: { ...COMPOSE.services, "kafka-1": { ...kafka, imagee: "x" } } })).toBe(false);
  });

  it("runs three KRaft brokers of the official image, each a voter of the same quorum", () => {
    const brokers = Object.entries(COMPOSE.services).filter(([name]) => /^kafka-\d$/.test(name));
    expect(brokers.map(([name]) => name)).toEqual(["kafka-1", "kafka-2", "kafka-3"]);
    for (const [name, broker] of brokers) {
      expect(broker.image).toMatch(/^docker\.io\/apache\/kafka:/);
      const env = broker.environment ?? {};
      expect(env.KAFKA_PROCESS_ROLES).toBe("broker,controller");
      expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe("1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093");
      expect(env.KAFKA_NODE_ID).toBe(Number(name.slice("kafka-".length)));
      expect(env.KAFKA_ADVERTISED_LISTENERS).toBe(`PLAINTEXT://${name}:9092`);
    }
  });

  it.each([
    ["control", 2],
    ["pdp", 3],
    ["enforcer", 3],
  ])("runs %s %i times, built from deploy/Containerfile", (command, replicas) => {
    const services = servicesRunning(command);
    expect(services).toHaveLength(replicas);
    for (const [, service] of services) {
      expect(service.build).toEqual({ context: "..", dockerfile: "deploy/Containerfile" });
      expect(existsSync(path.join(DEPLOY, service.build?.context ?? "", service.build?.dockerfile ?? ""))).toBe(true);
    }
  });

  it("gives each service only settings it reads", () => {
    expect(unreadVariables("enforcer", ["FLOWZONE_ROUTES", "FLOWZONE_PDP_HOST"])).toEqual(["FLOWZONE_PDP_HOST"]);
    for (const command of ["pdp", "enforcer", "control"]) {
      for (const [name, service] of servicesRunning(command)) {
        expect([name, unreadVariables(command, Object.keys(service.environment ?? {}))]).toEqual([name, []]);
      }
    }
  });

  it("binds the services off loopback, so the others and Prometheus reach them", () => {
    for (const [, service] of servicesRunning("pdp")) expect(service.environment?.FLOWZONE_PDP_HOST).toBe("0.0.0.0");
    for (const [, service] of servicesRunning("enforcer")) expect(service.environment?.FLOWZONE_ENFORCER_METRICS_HOST).toBe("0.0.0.0");
    for (const [, service] of servicesRunning("control")) {
      expect(service.environment?.FLOWZONE_CONTROL_HOST).toBe("0.0.0.0");
      // Off loopback the control plane starts only with a token file.
      expect(service.environment?.FLOWZONE_TOKENS).toBe("/run/secrets/control-tokens");
      expect(service.environment?.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
    }
  });

  it("gives every decision service a spool volume of its own", () => {
    const spools = servicesRunning("pdp").map(([, service]) => (service.volumes ?? []).find((volume) => volume.endsWith(":/var/lib/flowzone/spool")));
    expect(spools.every((spool) => spool !== undefined)).toBe(true);
    expect(new Set(spools).size).toBe(spools.length);
  });

  it("has Prometheus scrape every flowzone service's /metrics port", () => {
    const [prometheus] = yamlDocuments(readDeployFile("compose/prometheus.yml")) as [{ scrape_configs: { static_configs: { targets: string[] }[] }[] }];
    const targets = prometheus.scrape_configs.flatMap((job) => job.static_configs.flatMap((config) => config.targets)).sort();
    const expected = [...servicesRunning("control").map(([name]) => `${name}:8080`), ...["pdp", "enforcer"].flatMap((command) => servicesRunning(command).map(([name]) => `${name}:9464`))].sort();
    expect(targets).toEqual(expected);
  });

  it("mounts only files and folders that exist", () => {
    const sources = Object.values(COMPOSE.services).flatMap((service) => (service.volumes ?? []).map((volume) => volume.split(":")[0] ?? "")).filter((source) => source.startsWith("."));
    const secretFiles = Object.values(COMPOSE.secrets).map((secret) => secret.file);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of [...sources, ...secretFiles]) expect([source, existsSync(path.join(DEPLOY, source))]).toEqual([source, true]);
  });
});
