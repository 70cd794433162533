import { dirname } from "node:path";
import type * as grpc from "@grpc/grpc-js";
import { create, toBinary } from "@bufbuild/protobuf";
import type { DescFile } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { loadFileDescriptorSetFromBuffer, loadSync } from "@grpc/proto-loader";
import type { PackageDefinition } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { protoPath as healthProtoPath } from "grpc-health-check";

/**
 * Serves gRPC server reflection (v1 and v1alpha) for the given protobuf-es files and, because
 * every flowzone server runs it, `grpc.health.v1`. With it, grpcurl and Postman can call a
 * server without a copy of the protos.
 */
export function addReflection(server: grpc.Server, files: readonly DescFile[]): void {
  const definition: PackageDefinition = {
    // Loaded relative to its root so reflection names it `health/v1/health.proto`, not a local path.
    ...loadSync("health/v1/health.proto", { includeDirs: [dirname(dirname(dirname(healthProtoPath)))] }),
    ...loadFileDescriptorSetFromBuffer(fileDescriptorSet(files)),
  };
  new ReflectionService(definition).addToServer(server);
}

/**
 * Encodes the files and everything they import as a `FileDescriptorSet`, dependencies before
 * their dependents and each file once, as protoc would emit it.
 */
export function fileDescriptorSet(files: readonly DescFile[]): Buffer {
  const ordered: DescFile[] = [];
  const seen = new Set<string>();
  const visit = (file: DescFile): void => {
    if (seen.has(file.name)) return;
    seen.add(file.name);
    for (const dependency of file.dependencies) visit(dependency);
    ordered.push(file);
  };
  for (const file of files) visit(file);
  const bytes = toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: ordered.map((file) => file.proto) }));
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
