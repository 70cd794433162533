import { dirname, join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { service as healthService } from "grpc-health-check";
import type { Pdp } from "./pdp-harness";
import { startPdp } from "./pdp-harness";

type Callback<T> = (error: grpc.ServiceError | null, value?: T) => void;

interface HealthClient extends grpc.Client {
  Check(request: { service: string }, callback: Callback<{ status: string }>): void;
}

interface ReflectionResponse {
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_code: number; error_message: string };
}

function healthCheck(client: HealthClient, service: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.Check({ service }, (error, value) => {
      if (error !== null) reject(error);
      else resolve(value?.status ?? "");
    });
  });
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
    pdp = await startPdp();
    const HealthClientConstructor = grpc.makeGenericClientConstructor(healthService, "Health");
    health = new HealthClientConstructor(pdp.address, grpc.credentials.createInsecure()) as unknown as HealthClient;
  });

  afterAll(async () => {
    health.close();
    await pdp.stop();
  });

  it.each(["", "flowzone.v1.DecisionService"])("reports %j as SERVING once the policy is loaded", async (service) => {
    expect(await healthCheck(health, service)).toBe("SERVING");
  });

  it("answers NOT_FOUND for a service it does not run", async () => {
    await expect(healthCheck(health, "flowzone.v1.Nope")).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
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
