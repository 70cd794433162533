import { createHash, timingSafeEqual } from "node:crypto";

/** What a refused scrape is told to send. */
const HOW = "send 'Authorization: Bearer <token>' with the token of FLOWZONE_METRICS_TOKEN_FILE";

/**
 * The bearer token `GET /metrics` requires (`FLOWZONE_METRICS_TOKEN_FILE`), held as its SHA-256
 * digest only. A presented token is digested and compared with `timingSafeEqual`: equal lengths
 * always, so the time taken says nothing about how much of the token was right.
 */
export class MetricsToken {
  private readonly digest: Buffer;

  constructor(token: string) {
    this.digest = sha256(token);
  }

  /**
   * Undefined when `authorization` (the request's header) carries the token; otherwise the one
   * sentence a 401 answer says.
   */
  refusal(authorization: string | undefined): string | undefined {
    if (authorization === undefined || authorization.trim() === "") return `GET /metrics needs the metrics token: ${HOW}`;
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization.trim());
    if (match?.[1] === undefined) return `malformed Authorization header: ${HOW}`;
    return timingSafeEqual(sha256(match[1]), this.digest) ? undefined : "the bearer token is not the metrics token";
  }
}

function sha256(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}
