import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { CheckRequestSchema, DecisionService } from "@flowzone/proto";
import { serviceDefinition } from "./service-definition";

describe("serviceDefinition", () => {
  const definition = serviceDefinition(DecisionService);

  it.each([
    ["check", "/flowzone.v1.DecisionService/Check", false, false],
    ["checkBatch", "/flowzone.v1.DecisionService/CheckBatch", false, false],
    ["checkStream", "/flowzone.v1.DecisionService/CheckStream", true, true],
  ])("maps %s to %s (request stream %s, response stream %s)", (key, path, requestStream, responseStream) => {
    expect(definition[key]).toMatchObject({ path, requestStream, responseStream });
  });

  it("keys methods by local name and keeps the proto name as originalName", () => {
    expect(Object.keys(definition)).toEqual(["check", "checkBatch", "checkStream"]);
    expect(definition["check"]?.originalName).toBe("Check");
  });

  it("serializes with protobuf-es binary encoding both ways", () => {
    const method = definition["check"];
    if (method === undefined) throw new Error("no check method");
    const request = create(CheckRequestSchema, { requestId: "r1", producer: "svc:a", sink: "kafka:b", labels: ["x", "y"] });
    const wire = method.requestSerialize(request);
    expect(Buffer.isBuffer(wire)).toBe(true);
    expect(fromBinary(CheckRequestSchema, wire)).toEqual(request);
    expect(method.requestDeserialize(Buffer.from(toBinary(CheckRequestSchema, request)))).toEqual(request);
  });
});
