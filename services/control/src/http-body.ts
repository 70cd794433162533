import type { IncomingMessage } from "node:http";
import { FlowzoneError } from "@flowzone/errors";

/**
 * Past the limit the body is read and thrown away, so the client is still reading when the
 * 413 arrives instead of failing on a reset connection; past this many times the limit the
 * connection is cut, so a client cannot keep the server busy forever.
 */
const DISCARD_FACTOR = 4;

/**
 * Reads a request body of at most `maxBytes`.
 * @throws FlowzoneError `payload_too_large` naming the limit.
 */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = (): FlowzoneError =>
      new FlowzoneError("payload_too_large", `the request body is larger than the limit of ${maxBytes} bytes`);
    const declared = Number(request.headers["content-length"] ?? "0");
    if (declared > maxBytes * DISCARD_FACTOR) {
      request.destroy();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
      } else if (size > maxBytes * DISCARD_FACTOR) {
        request.destroy();
        reject(tooLarge());
      }
    });
    request.on("end", () => {
      if (size > maxBytes) reject(tooLarge());
      else resolve(Buffer.concat(chunks));
    });
    request.on("error", reject);
  });
}

/**
 * A body as JSON; undefined for an empty body (each route decides whether that is fine).
 * @throws FlowzoneError `malformed_json` with the parser's reason.
 */
export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FlowzoneError("malformed_json", `the request body is not valid JSON: ${reason}`);
  }
}
