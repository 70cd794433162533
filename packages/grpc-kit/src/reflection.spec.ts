import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { file_flowzone_v1_audit, file_flowzone_v1_decision } from "@flowzone/proto";
import { fileDescriptorSet } from "./reflection";

describe("fileDescriptorSet", () => {
  it("includes every import once, dependencies before dependents", () => {
    const set = fromBinary(FileDescriptorSetSchema, fileDescriptorSet([file_flowzone_v1_decision, file_flowzone_v1_audit]));
    expect(set.file.map((f) => f.name)).toEqual([
      "flowzone/v1/types.proto",
      "flowzone/v1/decision.proto",
      "google/protobuf/timestamp.proto",
      "flowzone/v1/audit.proto",
    ]);
  });
});
