import type * as grpc from "@grpc/grpc-js";
import type { MessageShape } from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";

type MethodShape = GenServiceMethods[string];
type In<M extends MethodShape> = MessageShape<M["input"]>;
type Out<M extends MethodShape> = MessageShape<M["output"]>;

/** The grpc-js handler type for one protobuf-es method, chosen by its kind. */
export type HandlerFor<M extends MethodShape> = M["methodKind"] extends "unary"
  ? grpc.handleUnaryCall<In<M>, Out<M>>
  : M["methodKind"] extends "server_streaming"
    ? grpc.handleServerStreamingCall<In<M>, Out<M>>
    : M["methodKind"] extends "client_streaming"
      ? grpc.handleClientStreamingCall<In<M>, Out<M>>
      : grpc.handleBidiStreamingCall<In<M>, Out<M>>;

/**
 * The handlers a protobuf-es service needs, keyed by method `localName` and typed with the
 * generated messages, so a missing method or a wrong message type is a compile error rather
 * than an UNIMPLEMENTED at run time.
 */
export type ServiceHandlers<S> = S extends GenService<infer Methods> ? { [K in keyof Methods]: HandlerFor<Methods[K]> } : never;
