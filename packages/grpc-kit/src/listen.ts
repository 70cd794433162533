import * as grpc from "@grpc/grpc-js";

/**
 * Binds `server` to `host:port` with `credentials` (insecure unless given; see
 * `serverCredentials`) and resolves with the bound port, so `port` 0 (a free port, for tests and
 * `flowzone dev`) can be logged and reported. IPv6 hosts are bracketed.
 */
export function listen(server: grpc.Server, host: string, port: number, credentials = grpc.ServerCredentials.createInsecure()): Promise<number> {
  const address = host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, boundPort) => {
      if (error === null) resolve(boundPort);
      else reject(new Error(`cannot listen on ${address}: ${error.message}`, { cause: error }));
    });
  });
}
