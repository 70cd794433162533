/**
 * A gRPC client the project did not write: curl (HTTP/2, OpenSSL) posting one length-prefixed
 * protobuf message, as any gRPC client does on the wire, and reading `grpc-status` and
 * `grpc-message` from the trailers curl prints with the headers (`-D -`). Only the request body is
 * made with the project's generated types; the transport, TLS and HTTP/2 are curl's own.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { create, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { CheckRequestSchema } from "@flowzone/proto";

export interface CurlGrpcOptions {
  /** `https` (TLS, ALPN h2) or `http` (plaintext HTTP/2 with prior knowledge). */
  readonly scheme: "https" | "http";
  readonly port: number;
  /** PEM files: the CA to trust, and the client certificate and key to present (mTLS). */
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Sent as `authorization: Bearer <token>`. */
  readonly bearerToken?: string;
}

export interface CurlGrpcResult {
  /** curl's exit code: 0 when an HTTP exchange completed (whatever its gRPC status). */
  readonly exitCode: number;
  /** `grpc-status` from the trailers (or a trailers-only response); undefined when none came. */
  readonly grpcStatus: number | undefined;
  /** `grpc-message`, percent-decoded. */
  readonly grpcMessage: string;
  /** The response body: gRPC length-prefixed messages. */
  readonly body: Buffer;
  readonly stderr: string;
}

/** Whether this machine's curl speaks HTTP/2 (`curl -V` lists HTTP2). */
export async function curlHasHttp2(): Promise<boolean> {
  const { stdout } = await run("curl", ["-V"]);
  return /\bHTTP2\b/.test(stdout);
}

/** Calls DecisionService.Check with `init` through curl. */
export async function curlCheck(init: MessageInitShape<typeof CheckRequestSchema>, options: CurlGrpcOptions): Promise<CurlGrpcResult> {
  const message = Buffer.from(toBinary(CheckRequestSchema, create(CheckRequestSchema, init)));
  const prefix = Buffer.alloc(5); // compressed flag 0, then the length, big-endian
  prefix.writeUInt32BE(message.length, 1);
  const dir = await mkdtemp(path.join(tmpdir(), "flowzone-curl-"));
  try {
    const bodyFile = path.join(dir, "request.bin");
    const outFile = path.join(dir, "response.bin");
    await writeFile(bodyFile, Buffer.concat([prefix, message]));
    const args = [
      "--silent",
      "--show-error",
      "--max-time",
      "10",
      options.scheme === "https" ? "--http2" : "--http2-prior-knowledge",
      "-X",
      "POST",
      "-H",
      "content-type: application/grpc",
      "-H",
      "te: trailers",
      ...(options.bearerToken === undefined ? [] : ["-H", `authorization: Bearer ${options.bearerToken}`]),
      ...(options.caFile === undefined ? [] : ["--cacert", options.caFile]),
      ...(options.certFile === undefined ? [] : ["--cert", options.certFile]),
      ...(options.keyFile === undefined ? [] : ["--key", options.keyFile]),
      "--data-binary",
      `@${bodyFile}`,
      "-D",
      "-",
      "-o",
      outFile,
      `${options.scheme}://127.0.0.1:${options.port}/flowzone.v1.DecisionService/Check`,
    ];
    const { exitCode, stdout, stderr } = await run("curl", args);
    const header = (name: string): string | undefined => new RegExp(`^${name}: *(.*?)\\r?$`, "im").exec(stdout)?.[1];
    const status = header("grpc-status");
    const body = await readFile(outFile).catch(() => Buffer.alloc(0));
    return { exitCode, grpcStatus: status === undefined ? undefined : Number(status), grpcMessage: decodeURIComponent(header("grpc-message") ?? ""), body, stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The messages of a gRPC response body (each behind its 5-byte prefix). */
export function grpcMessages(body: Buffer): Buffer[] {
  const messages: Buffer[] = [];
  for (let at = 0; at + 5 <= body.length; ) {
    const length = body.readUInt32BE(at + 1);
    messages.push(body.subarray(at + 5, at + 5 + length));
    at += 5 + length;
  }
  return messages;
}

function run(command: string, args: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, [...args], { encoding: "utf8" }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ exitCode: code, stdout, stderr });
    });
  });
}
