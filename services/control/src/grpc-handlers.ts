import * as grpc from "@grpc/grpc-js";
import { create } from "@bufbuild/protobuf";
import type { Actor, ControlPlane } from "@flowzone/control";
import type { Logger } from "@flowzone/logging";
import {
  FlipZoneResponseSchema,
  GrantExceptionResponseSchema,
  ListViolationsResponseSchema,
  ListZonesResponseSchema,
  MarkViolationFixedResponseSchema,
  PushPolicyResponseSchema,
  RevokeExceptionResponseSchema,
} from "@flowzone/proto";
import { invalidField } from "./invalid-field";
import type { Access, Authenticator } from "./authenticator";
import {
  exceptionBodyOf,
  exceptionMessage,
  flipBodyOf,
  violationMessage,
  violationQueryOf,
  zoneDetailMessage,
  zoneMessage,
} from "./grpc-convert";
import type { ZoneHandlers } from "./grpc-convert";
import { grpcStatusOf } from "./grpc-status";
import { parseExceptionBody, parseFixedBody, parseFlipBody, parsePolicyBody, parseViolationQuery } from "./request-bodies";
import type { RequestMetrics } from "./request-metrics";

export interface ZoneHandlerDeps {
  readonly controlPlane: ControlPlane;
  readonly authenticator: Authenticator;
  readonly metrics: RequestMetrics;
  readonly logger: Logger;
  readonly now: () => Date;
}

/**
 * The ZoneService handlers: the HTTP API over gRPC, with the same facade, the same auth (the
 * `authorization: Bearer` metadata) and the same validation, so the two transports cannot
 * drift apart on who may do what.
 */
export function zoneHandlers(deps: ZoneHandlerDeps): ZoneHandlers {
  const { controlPlane: plane, now } = deps;
  const unary = unaryFactory(deps);
  return {
    listZones: unary("ListZones", "read", async () => create(ListZonesResponseSchema, { zones: (await plane.listZones()).map(zoneMessage) })),
    getZone: unary("GetZone", "read", async (request) => zoneDetailMessage(await plane.getZone(required("zone", request.zone)))),
    listViolations: unary("ListViolations", "read", async (request) => {
      const { status, limit } = violationQueryOf(request);
      const violations = await plane.listViolations(required("zone", request.zone), parseViolationQuery(status, limit));
      return create(ListViolationsResponseSchema, { violations: violations.map(violationMessage) });
    }),
    flipZone: unary("FlipZone", "change", async (request, actor) => {
      const flip = parseFlipBody(flipBodyOf(request));
      const flipped = await plane.flip(required("zone", request.zone), flip, actor);
      return create(FlipZoneResponseSchema, { zone: zoneMessage(flipped), flowsNewlyDenied: BigInt(flipped.flowsNewlyDenied) });
    }),
    grantException: unary("GrantException", "change", async (request, actor) => {
      const grant = parseExceptionBody(exceptionBodyOf(request), now());
      return create(GrantExceptionResponseSchema, { exception: exceptionMessage(await plane.grantException(required("zone", request.zone), grant, actor)) });
    }),
    revokeException: unary("RevokeException", "change", async (request, actor) => {
      await plane.revokeException(required("id", request.id), actor);
      return create(RevokeExceptionResponseSchema);
    }),
    markViolationFixed: unary("MarkViolationFixed", "change", async (request, actor) => {
      const { note } = parseFixedBody({ note: request.note });
      return create(MarkViolationFixedResponseSchema, { violation: violationMessage(await plane.markFixed(required("id", request.id), note, actor)) });
    }),
    pushPolicy: unary("PushPolicy", "change", async (request, actor) => {
      const { version } = await plane.pushPolicy(parsePolicyBody({ files: request.files }), actor);
      return create(PushPolicyResponseSchema, { version });
    }),
  };
}

type UnaryHandler<I, O> = (call: grpc.ServerUnaryCall<I, O>, callback: grpc.sendUnaryData<O>) => void;

/** Wraps one method: authenticate from metadata, run, count, and map failures to statuses. */
function unaryFactory(deps: ZoneHandlerDeps) {
  const { authenticator, metrics, logger } = deps;
  return <I, O>(method: string, access: Access, run: (request: I, actor: Actor) => Promise<O>): UnaryHandler<I, O> =>
    (call, callback) => {
      const finish = (error: grpc.ServiceError | null, response?: O): void => {
        metrics.countGrpc(method, grpc.status[error?.code ?? grpc.status.OK]);
        if (error === null) callback(null, response);
        else callback(error);
      };
      let actor: Actor;
      try {
        actor = authenticator.authenticate(authorizationOf(call.metadata), access);
      } catch (error) {
        finish(grpcStatusOf(error).status);
        return;
      }
      run(call.request, actor).then(
        (response) => {
          if (access === "change") logger.info({ subject: actor.subject, method }, "change accepted");
          finish(null, response);
        },
        (error: unknown) => {
          const { status, internal } = grpcStatusOf(error);
          if (internal) logger.error({ err: error, method }, "unexpected error serving a call");
          finish(status);
        },
      );
    };
}

function authorizationOf(metadata: grpc.Metadata): string | undefined {
  const [value] = metadata.get("authorization");
  return typeof value === "string" ? value : undefined;
}

function required(field: string, value: string): string {
  if (value.trim() === "") throw invalidField(field, `"${field}" is required`);
  return value;
}
