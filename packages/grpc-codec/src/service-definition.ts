import * as grpc from "@grpc/grpc-js";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import type { DescMessage, DescMethod, DescService, Message } from "@bufbuild/protobuf";

/**
 * Hand-written codecs for a hot method, keyed by method `localName`: `encodeResponse` must
 * produce the same bytes as `toBinary`, `decodeRequest` the same message as `fromBinary`.
 * The generic reflection-based codec is the default for whatever is left out.
 */
export interface MethodCodec {
  readonly encodeResponse?: (message: Message) => Uint8Array;
  readonly decodeRequest?: (bytes: Uint8Array) => Message;
}

export type MethodCodecs = Readonly<Record<string, MethodCodec>>;

/**
 * Builds a grpc-js service definition from a protobuf-es service descriptor, so services keep
 * protobuf-es messages end to end instead of a second, proto-loader view of the same protos.
 * Keys are the methods' `localName` (`check`, `checkBatch`), matching `ServiceHandlers`;
 * `originalName` (`Check`) lets generic clients call either spelling.
 */
export function serviceDefinition(service: DescService, codecs: MethodCodecs = {}): grpc.ServiceDefinition {
  const definition: Record<string, grpc.MethodDefinition<Message, Message>> = {};
  for (const method of service.methods) {
    const codec = codecs[method.localName] ?? {};
    const base = methodDefinition(service, method);
    definition[method.localName] = {
      ...base,
      ...(codec.encodeResponse === undefined ? {} : { responseSerialize: toBuffer(codec.encodeResponse) }),
      ...(codec.decodeRequest === undefined ? {} : { requestDeserialize: codec.decodeRequest }),
    };
  }
  return definition;
}

/**
 * A client constructor for a protobuf-es service: used by tests, the CLI and benchmarks so no
 * caller writes grpc-js plumbing by hand.
 */
export function clientConstructor(service: DescService): grpc.ServiceClientConstructor {
  return grpc.makeGenericClientConstructor(serviceDefinition(service), service.typeName);
}

function methodDefinition(service: DescService, method: DescMethod): grpc.MethodDefinition<Message, Message> {
  return {
    path: `/${service.typeName}/${method.name}`,
    requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
    responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
    requestSerialize: serializer(method.input),
    requestDeserialize: deserializer(method.input),
    responseSerialize: serializer(method.output),
    responseDeserialize: deserializer(method.output),
    originalName: method.name,
  };
}

function serializer(schema: DescMessage): (message: Message) => Buffer {
  return toBuffer((message) => toBinary(schema, message));
}

function toBuffer(encode: (message: Message) => Uint8Array): (message: Message) => Buffer {
  return (message) => {
    const bytes = encode(message);
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer(schema: DescMessage): (bytes: Buffer) => Message {
  return (bytes) => fromBinary(schema, bytes);
}
