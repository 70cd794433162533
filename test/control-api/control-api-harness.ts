/**
 * Shared set-up of the control API tests: the real HTTP and gRPC servers on 127.0.0.1 port 0
 * in front of an {@link InMemoryControlPlane}, with an admin and a viewer token, a fetch-based
 * HTTP helper, a promise-based ZoneService client, and the servers' log lines.
 */
import * as grpc from "@grpc/grpc-js";
import { create } from "@bufbuild/protobuf";
import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { startControlService } from "@flowzone/control-service";
import type { RunningControlService } from "@flowzone/control-service";
import { clientConstructor } from "@flowzone/grpc-kit";
import { ZoneService } from "@flowzone/proto";

import { collectingLogger, type LogLine } from "../support/logger";
import { InMemoryControlPlane } from "./in-memory-control-plane";

export const ADMIN_TOKEN = "admin-token-0123456789abcdef";
export const VIEWER_TOKEN = "viewer-token-0123456789abcdef";
export const TOKENS = [
  { token: ADMIN_TOKEN, subject: "alice@privacy", role: "privacy-admin" },
  { token: VIEWER_TOKEN, subject: "bob@eng", role: "viewer" },
] as const;

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed JSON body, or undefined when there is none. */
  readonly json: unknown;
}

export interface ControlApi {
  readonly plane: InMemoryControlPlane;
  readonly service: RunningControlService;
  readonly baseUrl: string;
  readonly grpcAddress: string;
  readonly lines: LogLine[];
  /**
   * One request. `token` left out means the admin's, `token: undefined` none; `contentType` left
   * out means `application/json` on every method but GET (as the API requires of changes),
   * `contentType: undefined` none.
   */
  request(method: string, path: string, options?: { token?: string | undefined; body?: unknown; rawBody?: string; contentType?: string | undefined }): Promise<ApiResponse>;
  stop(): Promise<void>;
}

export interface StartApiOptions {
  /** false runs the API open, without a token file. */
  readonly auth?: boolean;
  readonly maxBodyBytes?: number;
  readonly isReady?: () => boolean;
  /** The token `GET /metrics` then requires. */
  readonly metricsToken?: string;
}

export async function startControlApi(options: StartApiOptions = {}): Promise<ControlApi> {
  const plane = InMemoryControlPlane.seeded();
  const { logger, lines } = collectingLogger("debug");
  const service = await startControlService({
    controlPlane: plane,
    host: "127.0.0.1",
    httpPort: 0,
    grpcPort: 0,
    tokens: options.auth === false ? undefined : TOKENS,
    logger,
    maxBodyBytes: options.maxBodyBytes,
    isReady: options.isReady,
    metricsToken: options.metricsToken,
  });
  const baseUrl = `http://127.0.0.1:${service.httpPort}`;
  return {
    plane,
    service,
    baseUrl,
    grpcAddress: `127.0.0.1:${service.grpcPort}`,
    lines,
    async request(method, path, options = {}) {
      const { body, rawBody } = options;
      const token = "token" in options ? options.token : ADMIN_TOKEN;
      const contentType = "contentType" in options ? options.contentType : method === "GET" ? undefined : "application/json";
      const headers: Record<string, string> = {};
      if (token !== undefined) headers["authorization"] = `Bearer ${token}`;
      if (contentType !== undefined) headers["content-type"] = contentType;
      const payload = rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
      const response = await fetch(baseUrl + path, { method, headers, body: payload });
      const text = await response.text();
      return { status: response.status, headers: response.headers, text, json: parseJson(response.headers, text) };
    },
    stop: () => service.close(1000),
  };
}

function parseJson(headers: Headers, text: string): unknown {
  return text !== "" && (headers.get("content-type") ?? "").startsWith("application/json") ? (JSON.parse(text) as unknown) : undefined;
}

/** The `error` object of an error body. */
export function errorOf(response: ApiResponse): { code: string; message: string; field?: string; blockers?: string[]; errors?: string[] } {
  return (response.json as { error: { code: string; message: string } }).error;
}

type Callback<T> = (error: grpc.ServiceError | null, value?: T) => void;
type RawMethod = (request: unknown, metadata: grpc.Metadata, callback: Callback<unknown>) => grpc.ClientUnaryCall;

const RawZoneClient = clientConstructor(ZoneService);

/** A promise-based ZoneService client over a real grpc-js channel. */
export class ZoneClient {
  private readonly raw: grpc.Client;

  constructor(address: string) {
    this.raw = new RawZoneClient(address, grpc.credentials.createInsecure());
  }

  /** Calls `method` (its localName, e.g. `flipZone`) with a bearer token, or none. */
  call<I extends DescMessage, O extends DescMessage>(
    method: string,
    schema: I,
    init: MessageInitShape<I>,
    token: string | undefined,
    /** The response's schema: types the result, and the response is checked to be one. */
    output?: O,
  ): Promise<MessageShape<O>> {
    const metadata = new grpc.Metadata();
    if (token !== undefined) metadata.set("authorization", `Bearer ${token}`);
    const fn = (this.raw as unknown as Record<string, RawMethod>)[method];
    if (fn === undefined) throw new Error(`no method ${method}`);
    return new Promise((resolve, reject) => {
      fn.call(this.raw, create(schema, init), metadata, (error, value) => {
        const typeName = (value as { $typeName?: string } | undefined)?.$typeName;
        if (error !== null) reject(error);
        else if (output !== undefined && typeName !== output.typeName) reject(new Error(`expected a ${output.typeName}, got ${String(typeName)}`));
        else resolve(value as MessageShape<O>);
      });
    });
  }

  close(): void {
    this.raw.close();
  }
}

/** The error a promise rejected with, as a grpc ServiceError; fails when it resolved. */
export async function grpcError(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error("expected the call to fail");
}
