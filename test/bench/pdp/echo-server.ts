/**
 * The ceiling: a bare grpc-js server on 127.0.0.1 that answers DecisionService calls with
 * pre-encoded replies (flowzone's own answers to the same requests, so the same sizes), chosen by
 * the request id. No decoding beyond that id, no policy. Run as a child: prints {"port": N}.
 *
 * With --read it is the reading echo: it also reads every byte of each request and writes each
 * answer into memory of its own, cut from a slab as the decision service's are, before sending
 * it. That is the least any server that reads its requests and writes its answers does, whatever
 * it decides: the floor under the decision service's CPU per check beside the echo's.
 *
 * Usage: node echo-server.js <replies-file> [--read]   (groups: unary replies by k, batch replies by k/50)
 */
import * as grpc from "@grpc/grpc-js";
import { Slab } from "@flowzone/proto";
import { peekFirstBatchRequestId, peekRequestId } from "../common/codec";
import { readReplies } from "../common/replies";

const identity = (b: Buffer): Buffer => b;

/** What the reading echo read of its requests: kept, so that reading them is not optimised away. */
let readSum = 0;

/** The reading echo's answer to `request`: every byte of the request read, `reply` copied into memory cut from `slab`. */
function readAndWrite(request: Buffer, reply: Buffer, slab: Slab): Buffer {
  let sum = readSum;
  for (let i = 0; i < request.length; i++) sum = (sum + (request[i] ?? 0)) | 0;
  readSum = sum;
  const answer = slab.take(reply.length);
  reply.copy(answer);
  return answer;
}

function main(): void {
  const [file, mode] = process.argv.slice(2);
  if (file === undefined || (mode !== undefined && mode !== "--read")) throw new Error("usage: echo-server <replies-file> [--read]");
  const slab = new Slab();
  const answer = mode === "--read" ? (request: Buffer, reply: Buffer): Buffer => readAndWrite(request, reply, slab) : (_request: Buffer, reply: Buffer): Buffer => reply;
  const [unary = [], batch = []] = readReplies(file);
  const perBatch = unary.length / Math.max(1, batch.length);
  const reply = (k: string): Buffer => {
    const r = unary[Number(k)];
    if (r === undefined) throw new Error(`no reply for request ${k}`);
    return r;
  };

  const server = new grpc.Server();
  const check: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    callback(null, answer(call.request, reply(peekRequestId(call.request))));
  };
  const checkBatch: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    const r = batch[Math.floor(Number(peekFirstBatchRequestId(call.request)) / perBatch)];
    if (r === undefined) callback({ code: grpc.status.INVALID_ARGUMENT, details: "no batch reply" });
    else callback(null, answer(call.request, r));
  };
  const checkStream: grpc.handleBidiStreamingCall<Buffer, Buffer> = (call) => {
    call.on("data", (request: Buffer) => call.write(answer(request, reply(peekRequestId(request)))));
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
