import { createHash, timingSafeEqual } from "node:crypto";
import type { Actor } from "@flowzone/control";
import { FlowzoneError } from "@flowzone/errors";
import type { ApiToken, Role } from "./api-token";

/** What a request does: reads need any valid token, changes need `privacy-admin`. */
export type Access = "read" | "change";

/** The actor of every request when no token file is configured (development only). */
export const ANONYMOUS: Actor = { subject: "anonymous" };

/** Who presents a token and what they may do (`GET /v1/me`). */
export interface Caller {
  readonly subject: string;
  readonly role: Role;
}

interface Entry {
  readonly digest: Buffer;
  readonly token: ApiToken;
}

/**
 * Turns an `Authorization` header (HTTP) or metadata value (gRPC) into the {@link Actor} the
 * facade records, the same way for both transports. Tokens are compared as SHA-256 digests
 * with `timingSafeEqual`, against every entry without stopping at a match, so neither the
 * content nor the position of a valid token leaks through response times.
 */
export class Authenticator {
  private readonly entries: readonly Entry[] | undefined;

  /** @param tokens the token file's entries; undefined runs the API open as "anonymous". */
  constructor(tokens: readonly ApiToken[] | undefined) {
    this.entries = tokens?.map((token) => ({ digest: digest(token.token), token }));
  }

  /** Whether anyone may call the API without a token (no token file configured). */
  get open(): boolean {
    return this.entries === undefined;
  }

  /**
   * @throws FlowzoneError `unauthenticated` for a missing, malformed or unknown token,
   *   `permission_denied` for a viewer asking for a change.
   */
  authenticate(authorization: string | undefined, access: Access): Actor {
    if (this.entries === undefined) return ANONYMOUS;
    const caller = this.identify(authorization);
    if (access === "change" && caller.role !== "privacy-admin") {
      throw new FlowzoneError("permission_denied", `${caller.subject} has the role ${caller.role}; changes need the role privacy-admin`);
    }
    return { subject: caller.subject };
  }

  /**
   * The token's subject and role; without a token file anyone is `anonymous` and may change
   * everything, so the role is privacy-admin.
   * @throws FlowzoneError `unauthenticated` for a missing, malformed or unknown token.
   */
  identify(authorization: string | undefined): Caller {
    if (this.entries === undefined) return { subject: ANONYMOUS.subject, role: "privacy-admin" };
    if (authorization === undefined || authorization.trim() === "") {
      throw new FlowzoneError("unauthenticated", "missing bearer token: send the header 'Authorization: Bearer <token>'");
    }
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization.trim());
    if (match?.[1] === undefined) {
      throw new FlowzoneError("unauthenticated", "malformed Authorization header: expected 'Bearer <token>'");
    }
    const presented = digest(match[1]);
    let found: ApiToken | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, presented) && found === undefined) found = entry.token;
    }
    if (found === undefined) throw new FlowzoneError("unauthenticated", "the bearer token is not valid");
    return { subject: found.subject, role: found.role };
  }
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}
