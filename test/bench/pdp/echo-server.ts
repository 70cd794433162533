/**
 * The ceiling: a bare grpc-js server on 127.0.0.1 that answers DecisionService calls with
 * pre-encoded replies (flowzone's own answers to the same requests, so the same sizes), chosen by
 * the request id. No decoding beyond that id, no policy. Run as a child: prints {"port": N}.
 *
 * Usage: node echo-server.js <replies-file>   (groups: unary replies by k, batch replies by k/50)
 */
import * as grpc from "@grpc/grpc-js";
import { peekFirstBatchRequestId, peekRequestId } from "../common/codec";
import { readReplies } from "../common/replies";

const identity = (b: Buffer): Buffer => b;

function main(): void {
  const file = process.argv[2];
  if (file === undefined) throw new Error("usage: echo-server <replies-file>");
  const [unary = [], batch = []] = readReplies(file);
  const perBatch = unary.length / Math.max(1, batch.length);
  const reply = (k: string): Buffer => {
    const r = unary[Number(k)];
    if (r === undefined) throw new Error(`no reply for request ${k}`);
    return r;
  };

  const server = new grpc.Server();
  const check: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    callback(null, reply(peekRequestId(call.request)));
  };
  const checkBatch: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    const r = batch[Math.floor(Number(peekFirstBatchRequestId(call.request)) / perBatch)];
    if (r === undefined) callback({ code: grpc.status.INVALID_ARGUMENT, details: "no batch reply" });
    else callback(null, r);
  };
  const checkStream: grpc.handleBidiStreamingCall<Buffer, Buffer> = (call) => {
    call.on("data", (request: Buffer) => call.write(reply(peekRequestId(request))));
    call.on("end", () => call.end());
  };
  server.register("/flowzone.v1.DecisionService/Check", check, identity, identity, "unary");
  server.register("/flowzone.v1.DecisionService/CheckBatch", checkBatch, identity, identity, "unary");
  server.register("/flowzone.v1.DecisionService/CheckStream", checkStream, identity, identity, "bidi");
  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) throw err;
    process.stdout.write(JSON.stringify({ port }) + "\n");
  });
  // The benchmark holds our stdin: when it goes away, so do we.
  process.stdin.resume();
  process.stdin.on("end", () => { server.forceShutdown(); process.exit(0); });
}

main();
