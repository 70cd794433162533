import { FlowzoneError } from "@flowzone/errors";
import { ANONYMOUS, Authenticator } from "./authenticator";
import type { Access } from "./authenticator";

const ADMIN = "admin-token-0123456789";
const VIEWER = "viewer-token-0123456789";
const auth = new Authenticator([
  { token: ADMIN, subject: "alice", role: "privacy-admin" },
  { token: VIEWER, subject: "bob", role: "viewer" },
]);

function refusal(header: string | undefined, access: Access): FlowzoneError {
  try {
    auth.authenticate(header, access);
  } catch (error) {
    if (error instanceof FlowzoneError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("Authenticator", () => {
  it.each([
    [`Bearer ${ADMIN}`, "change", "alice"],
    [`bearer ${ADMIN}`, "read", "alice"],
    [`Bearer ${VIEWER}`, "read", "bob"],
  ] as const)("%s may %s as %s", (header, access, subject) => {
    expect(auth.authenticate(header, access)).toEqual({ subject });
  });

  it.each([
    [undefined, "read", "unauthenticated", "missing bearer token: send the header 'Authorization: Bearer <token>'"],
    ["", "change", "unauthenticated", "missing bearer token: send the header 'Authorization: Bearer <token>'"],
    [`Basic ${ADMIN}`, "read", "unauthenticated", "malformed Authorization header: expected 'Bearer <token>'"],
    ["Bearer nope-nope-nope-nope", "read", "unauthenticated", "the bearer token is not valid"],
    [`Bearer ${ADMIN}x`, "read", "unauthenticated", "the bearer token is not valid"],
    [`Bearer ${VIEWER}`, "change", "permission_denied", "bob has the role viewer; changes need the role privacy-admin"],
  ] as const)("refuses %j for a %s with %s", (header, access, code, message) => {
    const error = refusal(header, access);
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });

  it("names the caller's subject and role (GET /v1/me), and refuses an unknown token", () => {
    expect(auth.identify(`Bearer ${VIEWER}`)).toEqual({ subject: "bob", role: "viewer" });
    expect(auth.identify(`Bearer ${ADMIN}`)).toEqual({ subject: "alice", role: "privacy-admin" });
    expect(() => auth.identify("Bearer nope-nope-nope-nope")).toThrow("the bearer token is not valid");
  });

  it("lets anyone in as anonymous without a token file", () => {
    const open = new Authenticator(undefined);
    expect(open.open).toBe(true);
    expect(open.authenticate(undefined, "change")).toBe(ANONYMOUS);
    expect(open.identify(undefined)).toEqual({ subject: "anonymous", role: "privacy-admin" });
    expect(auth.open).toBe(false);
  });
});
