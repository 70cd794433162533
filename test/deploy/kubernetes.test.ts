/**
 * deploy/kubernetes: every overlay renders with `kubectl kustomize`, every rendered object is valid
 * against the Kubernetes OpenAPI schemas (the validators kubernetes-models generates from them),
 * and the objects are the deployment docs/operations.md describes: probes that match each
 * service's listeners, settings each service reads, the image's user, and nothing referenced that
 * is neither rendered nor documented.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { readBundleDir } from "@flowzone/bundle-source";
import { parseRoutes } from "@flowzone/enforcer";
import { parseBundle } from "@flowzone/engine";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Namespace, Secret, Service } from "kubernetes-models/v1";

import { DEPLOY, readDeployFile, unreadVariables, yamlDocuments } from "./deploy-files";
import { kustomize } from "./kubectl";

interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly data?: Readonly<Record<string, string>>;
}

/** What the test reads of a rendered Deployment (the schema validated the rest). */
interface Container {
  readonly args: readonly string[];
  readonly env?: readonly { readonly name: string; readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string } } }[];
  readonly envFrom?: readonly { readonly configMapRef: { readonly name: string } }[];
  readonly ports: readonly { readonly name: string; readonly containerPort: number }[];
  readonly readinessProbe: Probe;
  readonly livenessProbe: Probe;
}

interface Probe {
  readonly grpc?: { readonly port: number; readonly service?: string };
  readonly httpGet?: { readonly path: string; readonly port: string; readonly scheme?: string };
}

interface Volume {
  readonly configMap?: { readonly name: string };
  readonly secret?: { readonly secretName: string };
  readonly projected?: { readonly sources: readonly { readonly secret?: { readonly name: string; readonly optional?: boolean } }[] };
}

interface DeploymentShape extends KubeObject {
  readonly spec: {
    readonly replicas: number;
    readonly template: { readonly spec: { readonly securityContext: { readonly runAsUser: number; readonly runAsNonRoot: boolean }; readonly containers: readonly Container[]; readonly volumes: readonly Volume[] } };
  };
}

/** The model of each kind the overlays render; a kind not listed fails the test, so none goes unvalidated. */
const MODELS: Readonly<Record<string, new (data: never) => { validate(): void }>> = {
  "v1/Namespace": Namespace,
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
};

const OVERLAYS = ["local", "production"] as const;
const rendered = new Map<string, KubeObject[]>();

function render(overlay: string): KubeObject[] {
  let objects = rendered.get(overlay);
  if (objects === undefined) {
    objects = yamlDocuments(kustomize(path.join(DEPLOY, "kubernetes", "overlays", overlay))).filter((object) => object !== null) as KubeObject[];
    rendered.set(overlay, objects);
  }
  return objects;
}

function validate(object: KubeObject): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (Model === undefined) throw new Error(`no schema model for ${object.apiVersion} ${object.kind} (${object.metadata.name}): add it to MODELS`);
  new Model(asSent(object) as never).validate();
}

/**
 * A Secret's data as the API server decodes it: kustomize wraps long base64 values over lines,
 * which the server's decoder skips and the schema's "byte" format does not allow.
 */
function asSent(object: KubeObject): KubeObject {
  if (object.kind !== "Secret" || object.data === undefined) return object;
  return { ...object, data: Object.fromEntries(Object.entries(object.data).map(([key, value]) => [key, value.replace(/\s/g, "")])) };
}

function deployment(objects: readonly KubeObject[], name: string): DeploymentShape {
  const found = objects.find((object) => object.kind === "Deployment" && object.metadata.name === name);
  if (found === undefined) throw new Error(`no Deployment ${name}`);
  return found as DeploymentShape;
}

/** The rendered name of a generated ConfigMap or Secret (kustomize appends a content hash). */
function generated(objects: readonly KubeObject[], kind: string, name: string): KubeObject | undefined {
  return objects.find((object) => object.kind === kind && (object.metadata.name === name || object.metadata.name.startsWith(`${name}-`)));
}

function settingsOf(objects: readonly KubeObject[], container: Container): Record<string, string> {
  return Object.assign({}, ...(container.envFrom ?? []).map((source) => objects.find((object) => object.kind === "ConfigMap" && object.metadata.name === source.configMapRef.name)?.data ?? {})) as Record<string, string>;
}

interface Reference {
  readonly kind: string;
  readonly name: string;
  /** A projected source marked optional: the pod starts without it. */
  readonly optional?: boolean;
}

/** Every ConfigMap and Secret a Deployment names. */
function references(deploymentObject: DeploymentShape): Reference[] {
  const spec = deploymentObject.spec.template.spec;
  return [
    ...spec.volumes.flatMap((volume) => [
      ...(volume.configMap === undefined ? [] : [{ kind: "ConfigMap", name: volume.configMap.name }]),
      ...(volume.secret === undefined ? [] : [{ kind: "Secret", name: volume.secret.secretName }]),
      ...(volume.projected?.sources ?? []).flatMap((source) => (source.secret === undefined ? [] : [{ kind: "Secret", name: source.secret.name, optional: source.secret.optional === true }])),
    ]),
    ...spec.containers.flatMap((container) => [
      ...(container.envFrom ?? []).map((source) => ({ kind: "ConfigMap", name: source.configMapRef.name })),
      ...(container.env ?? []).flatMap((variable) => (variable.valueFrom?.secretKeyRef === undefined ? [] : [{ kind: "Secret", name: variable.valueFrom.secretKeyRef.name }])),
    ]),
  ];
}

const DEPLOYMENTS = ["flowzone-pdp", "flowzone-enforcer", "flowzone-control"];

describe("deploy/kubernetes", () => {
  it.each(OVERLAYS)("overlay %s renders, and every object is valid against the Kubernetes schemas", (overlay) => {
    const objects = render(overlay);
    expect(objects.length).toBeGreaterThan(10);
    for (const object of objects) {
      expect(() => {
        validate(object);
      }).not.toThrow();
    }
  });

  it("the schema validation refuses an invalid object", () => {
    const pdp = deployment(render("local"), "flowzone-pdp");
    expect(() => {
      validate({ ...pdp, spec: { ...pdp.spec, replicas: "three" } } as unknown as KubeObject);
    }).toThrow(/replicas/);
    expect(() => {
      validate({ ...pdp, kind: "DaemonSett" });
    }).toThrow(/no schema model/);
  });

  it.each(OVERLAYS)("overlay %s has the three parts with their Services and disruption budgets, the decision service scaled on CPU", (overlay) => {
    const objects = render(overlay);
    const names = (kind: string): string[] => objects.filter((object) => object.kind === kind).map((object) => object.metadata.name).sort();
    expect(names("Deployment")).toEqual([...DEPLOYMENTS].sort());
    expect(names("Service")).toEqual([...DEPLOYMENTS].sort());
    expect(names("PodDisruptionBudget")).toEqual([...DEPLOYMENTS].sort());
    const hpa = objects.find((object) => object.kind === "HorizontalPodAutoscaler") as unknown as { spec: { scaleTargetRef: { name: string }; metrics: { resource: { name: string } }[] } };
    expect(hpa.spec.scaleTargetRef.name).toBe("flowzone-pdp");
    expect(hpa.spec.metrics.map((metric) => metric.resource.name)).toEqual(["cpu"]);
    expect(deployment(objects, "flowzone-control").spec.replicas).toBe(2);
  });

  it.each(OVERLAYS)("overlay %s gives each part only settings it reads, and the control plane its database and tokens", (overlay) => {
    const objects = render(overlay);
    for (const name of DEPLOYMENTS) {
      const container = deployment(objects, name).spec.template.spec.containers[0] as Container;
      const variables = [...(container.env ?? []).map((variable) => variable.name), ...Object.keys(settingsOf(objects, container))];
      expect([name, unreadVariables(container.args[0] ?? "", variables)]).toEqual([name, []]);
    }
    const control = deployment(objects, "flowzone-control").spec.template.spec.containers[0] as Container;
    expect(control.env?.find((variable) => variable.name === "DATABASE_URL")?.valueFrom?.secretKeyRef?.name).toMatch(/^flowzone-database(-[a-z0-9]{10})?$/);
    expect(control.env?.find((variable) => variable.name === "FLOWZONE_CONTROL_HOST")).toMatchObject({ value: "0.0.0.0" });
    expect(control.env?.some((variable) => variable.name === "FLOWZONE_TOKENS")).toBe(true);
  });

  it.each(OVERLAYS)("overlay %s probes each part where it answers: gRPC health in plaintext, HTTPS with TLS on", (overlay) => {
    const objects = render(overlay);
    for (const name of DEPLOYMENTS) {
      const container = deployment(objects, name).spec.template.spec.containers[0] as Container;
      const tls = settingsOf(objects, container).FLOWZONE_TLS_CERT !== undefined;
      for (const probe of [container.readinessProbe, container.livenessProbe]) {
        if (probe.grpc !== undefined) {
          // Kubernetes' gRPC probe cannot speak TLS.
          expect([name, tls]).toEqual([name, false]);
          expect(container.ports.find((port) => port.name === "grpc")?.containerPort).toBe(probe.grpc.port);
          expect(probe.grpc.service).toBe("flowzone.v1.DecisionService");
        } else {
          expect(probe.httpGet?.scheme ?? "HTTP").toBe(tls ? "HTTPS" : "HTTP");
          expect(container.ports.map((port) => port.name)).toContain(probe.httpGet?.port);
        }
      }
      expect(container.readinessProbe.grpc !== undefined || container.readinessProbe.httpGet?.path === "/readyz").toBe(true);
      expect(container.livenessProbe.httpGet?.path).toBe("/healthz");
    }
    expect(deployment(objects, "flowzone-pdp").spec.template.spec.containers[0]?.readinessProbe.grpc !== undefined).toBe(overlay === "local");
  });

  it.each(OVERLAYS)("overlay %s runs every part as the image's non-root user", (overlay) => {
    const user = /^USER (\d+):\d+$/m.exec(readDeployFile("Containerfile"))?.[1];
    for (const name of DEPLOYMENTS) {
      const context = deployment(render(overlay), name).spec.template.spec.securityContext;
      expect(context.runAsNonRoot).toBe(true);
      expect(String(context.runAsUser)).toBe(user);
    }
  });

  it("overlay local renders every ConfigMap and Secret it needs", () => {
    const objects = render("local");
    for (const name of DEPLOYMENTS) {
      for (const reference of references(deployment(objects, name)).filter((each) => each.optional !== true)) {
        expect([reference, objects.some((object) => object.kind === reference.kind && object.metadata.name === reference.name)]).toEqual([reference, true]);
      }
    }
  });

  it("overlay production names in deploy/README.md every Secret and ConfigMap it expects to exist", () => {
    const objects = render("production");
    const readme = readDeployFile("README.md");
    const missing = DEPLOYMENTS.flatMap((name) => references(deployment(objects, name))).filter((reference) => !objects.some((object) => object.kind === reference.kind && object.metadata.name === reference.name));
    // What production turns on must be there: the files its settings name.
    expect(missing.map((reference) => reference.name)).toEqual(expect.arrayContaining(["flowzone-tls", "flowzone-metrics-token", "flowzone-kafka-control", "flowzone-kafka-decision"]));
    expect(missing.length).toBeGreaterThan(0);
    for (const reference of missing) expect([reference, readme.includes(`\`${reference.name}\``)]).toEqual([reference, true]);
  });

  it("overlay production gives the control plane's Kafka credentials and signing key to its pods alone", () => {
    const objects = render("production");
    const secretsOf = (name: string): string[] => references(deployment(objects, name)).filter((reference) => reference.kind === "Secret").map((reference) => reference.name);
    expect(secretsOf("flowzone-control")).toEqual(expect.arrayContaining(["flowzone-kafka-control", "flowzone-control-signing-key"]));
    for (const name of ["flowzone-pdp", "flowzone-enforcer"]) {
      expect(secretsOf(name)).toEqual(expect.arrayContaining(["flowzone-kafka-decision", "flowzone-control-verify-key"]));
      expect(secretsOf(name)).not.toContain("flowzone-kafka-control");
      expect(secretsOf(name)).not.toContain("flowzone-control-signing-key");
    }
  });

  it("the base's bundle and the local routes are valid for the services that read them", async () => {
    const bundle = parseBundle(await readBundleDir(path.join(DEPLOY, "kubernetes", "base", "bundle")));
    expect(bundle.ok ? [] : bundle.errors).toEqual([]);
    const routesFile = path.join(DEPLOY, "kubernetes", "overlays", "local", "routes.yaml");
    const routes = parseRoutes({ path: routesFile, content: readFileSync(routesFile, "utf8") });
    expect(routes.ok ? [] : routes.errors).toEqual([]);
  });

  it("ships Prometheus a scrape job that keeps the ports serving /metrics, and the alert rules", () => {
    const prometheus = generated(render("local"), "ConfigMap", "flowzone-prometheus");
    const scrape = yamlDocuments(prometheus?.data?.["prometheus-scrape.yml"] ?? "")[0] as { scrape_configs: { relabel_configs: { source_labels: string[]; regex?: string; action?: string }[] }[] };
    const keepPorts = scrape.scrape_configs[0]?.relabel_configs.find((rule) => rule.action === "keep" && rule.source_labels.includes("__meta_kubernetes_pod_container_port_name"));
    const metricsPorts = { "flowzone-pdp": "metrics", "flowzone-enforcer": "metrics", "flowzone-control": "http" };
    for (const [name, port] of Object.entries(metricsPorts)) {
      expect(deployment(render("local"), name).spec.template.spec.containers[0]?.ports.map((each) => each.name)).toContain(port);
      expect(new RegExp(`^(?:${keepPorts?.regex ?? ""})$`).test(port)).toBe(true);
    }
    expect(new RegExp(`^(?:${keepPorts?.regex ?? ""})$`).test("grpc")).toBe(false);
    expect(prometheus?.data?.["flowzone-alerts.yml"]).toContain("alert: FlowzoneAuditRecordsDropped");
  });
});
