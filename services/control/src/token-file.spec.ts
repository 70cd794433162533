import { parseTokenFile } from "./token-file";
import { TokenFileError } from "./token-file-error";

const ADMIN = "admin-token-0123456789";
const VIEWER = "viewer-token-0123456789";

function errorsOf(text: string): readonly string[] {
  try {
    parseTokenFile(text, "tokens.yaml");
  } catch (error) {
    if (error instanceof TokenFileError) return error.errors;
    throw error;
  }
  throw new Error("expected the token file to be rejected");
}

describe("parseTokenFile", () => {
  it("reads every token with its subject and role", () => {
    const text = `tokens:\n  - token: ${ADMIN}\n    subject: alice\n    role: privacy-admin\n  - {token: ${VIEWER}, subject: bob, role: viewer}\n`;
    expect(parseTokenFile(text, "tokens.yaml")).toEqual([
      { token: ADMIN, subject: "alice", role: "privacy-admin" },
      { token: VIEWER, subject: "bob", role: "viewer" },
    ]);
  });

  it.each([
    ["not YAML", "tokens: [", /^tokens\.yaml:1: /],
    ["an empty file", "", 'tokens.yaml:1: expected a mapping with a "tokens" list: tokens: [{token, subject, role}]'],
    ["a list at the top", "- a\n", 'tokens.yaml:1: expected a mapping with a "tokens" list: tokens: [{token, subject, role}]'],
    ["an unknown top-level key", `tokens: [{token: ${ADMIN}, subject: a, role: viewer}]\nusers: []\n`, 'tokens.yaml:2: unknown key "users"; the file has one key, "tokens"'],
    ["tokens not a list", "tokens: yes\n", 'tokens.yaml:1: "tokens" must be a list of {token, subject, role}'],
    ["an empty list", "tokens: []\n", 'tokens.yaml:1: "tokens" is empty, so no one could call the API; list at least one token'],
    ["an unknown role", `tokens:\n  - token: ${ADMIN}\n    subject: a\n    role: admin\n`, 'tokens.yaml:4: unknown role "admin"; use viewer or privacy-admin'],
    ["a missing subject", `tokens:\n  - token: ${ADMIN}\n    role: viewer\n`, 'tokens.yaml:2: missing "subject"'],
    ["a short token", "tokens:\n  - {token: abc, subject: a, role: viewer}\n", 'tokens.yaml:2: token of subject "a" must be at least 16 characters without spaces'],
    ["a numeric subject", `tokens:\n  - {token: ${ADMIN}, subject: 42, role: viewer}\n`, 'tokens.yaml:2: "subject" must be a non-empty string'],
    ["an unknown entry key", `tokens:\n  - {token: ${ADMIN}, subject: a, role: viewer, expires: never}\n`, 'tokens.yaml:2: unknown key "expires"; a token has token, subject and role'],
    ["a duplicate token", `tokens:\n  - {token: ${ADMIN}, subject: a, role: viewer}\n  - {token: ${ADMIN}, subject: b, role: viewer}\n`, 'tokens.yaml:3: duplicate token (subject "b"); every token must be unique'],
  ])("rejects %s with file:line", (_name, text, expected) => {
    const errors = errorsOf(text);
    expect(errors).toHaveLength(1);
    if (typeof expected === "string") expect(errors[0]).toBe(expected);
    else expect(errors[0]).toMatch(expected);
  });

  it("reports every problem at once, not only the first", () => {
    const errors = errorsOf("tokens:\n  - {token: short, subject: a, role: viewer}\n  - {token: also-short, subject: b, role: root}\n");
    expect(errors).toEqual([
      'tokens.yaml:2: token of subject "a" must be at least 16 characters without spaces',
      'tokens.yaml:3: token of subject "b" must be at least 16 characters without spaces',
      'tokens.yaml:3: unknown role "root"; use viewer or privacy-admin',
    ]);
  });
});
