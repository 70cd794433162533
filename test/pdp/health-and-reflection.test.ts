import { dirname, join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { HealthClient, startPdp, type Pdp } from "./pdp-harness";

interface ReflectionResponse {
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_code: number; error_message: string };
}

function reflect(address: string, version: "v1" | "v1alpha", request: Record<string, string>): Promise<ReflectionResponse> {
  const protoRoot = join(dirname(require.resolve("@grpc/reflection")), "..", "proto");
  const definition = loadSync(`grpc/reflection/${version}/reflection.proto`, { includeDirs: [protoRoot], keepCase: true, defaults: true, oneofs: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: Record<string, { ServerReflection: grpc.ServiceClientConstructor }> };
  };
  const Client = loaded.grpc.reflection[version]?.ServerReflection;
  if (Client === undefined) throw new Error(`no reflection ${version} client`);
  const client = new Client(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const call = (client as unknown as { ServerReflectionInfo(): grpc.ClientDuplexStream<unknown, ReflectionResponse> }).ServerReflectionInfo();
    call.on("data", (response: ReflectionResponse) => {
      resolve(response);
      call.end();
    });
    call.on("error", reject);
    call.on("status", () => {
      client.close();
    });
    call.write(request);
  });
}

describe("decision service: health and reflection", () => {
  let pdp: Pdp;
  let health: HealthClient;

  beforeAll(async () => {
    pdp = await startPdp({ metricsPort: 0 });
    health = new HealthClient(pdp.address);
  });

  afterAll(async () => {
    health.close();
    await pdp.stop();
  });

  it.each(["", "flowzone.v1.DecisionService"])("reports %j as SERVING once the policy is loaded", async (service) => {
    expect(await health.check(service)).toBe("SERVING");
  });

  it("says on /healthz and /readyz, not only in the log, that without brokers audit and flips are off", async () => {
    const expected = {
      status: "ready",
      policyVersion: pdp.service.policyVersion(),
      audit: { state: "off", detail: expect.stringContaining("not audited") as unknown },
      controlTopic: { state: "off", detail: expect.stringContaining("zone flips") as unknown },
    };
    for (const path of ["/healthz", "/readyz"]) {
      const response = await fetch(`http://127.0.0.1:${String(pdp.service.metricsPort)}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(await response.json()).toEqual(expected);
    }
    expect(pdp.service.health()).toEqual(expected);
  });

  it("answers NOT_FOUND for a service it does not run", async () => {
    await expect(health.check("flowzone.v1.Nope")).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  it.each(["v1", "v1alpha"] as const)("lists the decision service and health via reflection %s", async (version) => {
    const response = await reflect(pdp.address, version, { list_services: "*" });
    const names = response.list_services_response?.service.map((s) => s.name) ?? [];
    expect(names).toEqual(expect.arrayContaining(["flowzone.v1.DecisionService", "grpc.health.v1.Health"]));
  });

  it("returns the file declaring flowzone.v1.DecisionService, with the types it uses", async () => {
    const response = await reflect(pdp.address, "v1", { file_containing_symbol: "flowzone.v1.DecisionService" });
    const files = (response.file_descriptor_response?.file_descriptor_proto ?? []).map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
    const decision = files.find((f) => f.name === "flowzone/v1/decision.proto");
    expect(decision?.service.map((s) => s.name)).toEqual(["DecisionService"]);
    expect(decision?.service[0]?.method.map((m) => m.name)).toEqual(["Check", "CheckBatch", "CheckStream"]);
    // proto-loader merges a package's files, so the answer is self-contained: the imported types come along.
    const messages = files.flatMap((f) => f.messageType.map((m) => m.name));
    expect(messages).toEqual(expect.arrayContaining(["CheckRequest", "CheckResponse", "Violation"]));
  });
});
