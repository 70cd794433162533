/** What a token may do: `viewer` reads, `privacy-admin` reads and changes (docs/reference/http-api.md). */
export type Role = "viewer" | "privacy-admin";

/** The roles, in the order help texts list them. */
export const ROLES: readonly Role[] = ["viewer", "privacy-admin"];

/** One entry of the token file: a bearer token, whose it is, and its role. */
export interface ApiToken {
  readonly token: string;
  /** Recorded as the actor of every change made with this token. */
  readonly subject: string;
  readonly role: Role;
}
