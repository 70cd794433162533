import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { CheckRequestSchema, CheckResponseSchema, Decision, Mode } from "@flowzone/proto";
import { toCheckResponse, toWrite } from "./convert";

describe("convert", () => {
  const request = create(CheckRequestSchema, {
    requestId: "r-1",
    producer: "svc:app",
    sink: "kafka:export-daily",
    labels: ["banana"],
    sources: ["kafka:banana-events"],
    purpose: "",
  });

  it("reads a request as a write", () => {
    expect(toWrite(request)).toMatchObject({
      producer: "svc:app",
      sink: "kafka:export-daily",
      labels: ["banana"],
      sources: ["kafka:banana-events"],
      purpose: "",
    });
  });

  it.each([
    ["logging", Mode.LOGGING],
    ["enforcement", Mode.ENFORCEMENT],
    ["off", Mode.OFF],
  ] as const)("maps mode %s to its enum and survives the wire", (mode, expected) => {
    const response = toCheckResponse(
      request,
      {
        allow: mode !== "enforcement",
        violations: [{ zone: "banana", rule: "boundary", mode, enforced: mode === "enforcement", failMode: "open", labels: ["banana"], reason: "Why." }],
      },
      "d-1",
      "sha256:abc@0",
    );
    const decoded = fromBinary(CheckResponseSchema, toBinary(CheckResponseSchema, response));
    expect(decoded).toEqual(
      create(CheckResponseSchema, {
        requestId: "r-1",
        decision: mode === "enforcement" ? Decision.DENY : Decision.ALLOW,
        decisionId: "d-1",
        policyVersion: "sha256:abc@0",
        violations: [{ zone: "banana", rule: "boundary", mode: expected, enforced: mode === "enforcement", labels: ["banana"], reason: "Why." }],
      }),
    );
  });

  it("answers an allow without violations", () => {
    const response = toCheckResponse(request, { allow: true, violations: [] }, "d-2", "v");
    expect(response.decision).toBe(Decision.ALLOW);
    expect(response.violations).toEqual([]);
  });

  it("builds a frozen decision's violation list once, and a list that is not frozen each time", () => {
    const violation = Object.freeze({ zone: "banana", rule: "boundary", mode: "enforcement" as const, enforced: true, failMode: "open" as const, labels: ["banana"], reason: "Why." });
    const frozen = Object.freeze({ allow: false, violations: Object.freeze([violation]) });
    const first = toCheckResponse(request, frozen, "d-3", "v").violations;
    expect(toCheckResponse(request, frozen, "d-4", "v").violations).toBe(first);
    expect(first[0]).toMatchObject({ zone: "banana", mode: Mode.ENFORCEMENT, enforced: true });
    const fresh = { allow: false, violations: [violation] };
    expect(toCheckResponse(request, fresh, "d-5", "v").violations).not.toBe(toCheckResponse(request, fresh, "d-6", "v").violations);
    expect(toCheckResponse(request, fresh, "d-7", "v").violations[0]).toBe(first[0]);
  });
});
