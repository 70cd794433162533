import { readFileSync } from "node:fs";

import * as grpc from "@grpc/grpc-js";

/**
 * TLS to the decision service, as PEM files: `ca` the certificates that sign the service's
 * certificate (unset: the system's roots), `cert` and `key` the producer's own certificate for a
 * service that requires one (`FLOWZONE_TLS_CLIENT_CA`, mTLS); its URI SAN is who the producer is.
 * `{}` is TLS with the system's roots and no client certificate.
 */
export interface RemoteTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

/**
 * Checks `decider.tls` as options from configuration may give it: an object of file names, a
 * certificate only with its key, every file readable. The files are read again when the channel
 * opens, so a rotated client certificate is used by a producer created after the rotation.
 *
 * @throws TypeError or RangeError naming the option and, for a file, the file.
 */
export function remoteTlsOf(given: unknown): RemoteTls | undefined {
  if (given === undefined) return undefined;
  if (given === null || typeof given !== "object") throw new TypeError("guarded producer: decider.tls must be an object { ca?, cert?, key? } of PEM file names");
  const tls = given as Record<string, unknown>;
  for (const name of Object.keys(tls)) {
    if (name !== "ca" && name !== "cert" && name !== "key") throw new RangeError(`guarded producer: decider.tls.${name} is not an option; use ca, cert and key (PEM file names)`);
    const value = tls[name];
    if (value !== undefined && (typeof value !== "string" || value === "")) throw new TypeError(`guarded producer: decider.tls.${name} must be a file name`);
  }
  const { ca, cert, key } = tls as RemoteTls;
  if ((cert === undefined) !== (key === undefined)) {
    throw new RangeError(`guarded producer: decider.tls.${cert === undefined ? "key" : "cert"} is given without decider.tls.${cert === undefined ? "cert" : "key"}; a client certificate needs both`);
  }
  for (const [name, file] of [["ca", ca], ["cert", cert], ["key", key]] as const) {
    if (file !== undefined) readPem(name, file);
  }
  return { ...(ca === undefined ? {} : { ca }), ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }) };
}

/** The channel's credentials: insecure without `tls`, SSL with its files otherwise. */
export function channelCredentials(tls: RemoteTls | undefined): grpc.ChannelCredentials {
  if (tls === undefined) return grpc.credentials.createInsecure();
  const ca = tls.ca === undefined ? null : readPem("ca", tls.ca);
  if (tls.cert === undefined || tls.key === undefined) return grpc.credentials.createSsl(ca);
  return grpc.credentials.createSsl(ca, readPem("key", tls.key), readPem("cert", tls.cert));
}

function readPem(name: string, file: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (error) {
    const reason = typeof error === "object" && error !== null && "code" in error ? String(error.code) : String(error);
    throw new RangeError(`guarded producer: decider.tls.${name}: ${file} cannot be read (${reason})`);
  }
  if (!pem.includes("-----BEGIN ")) throw new RangeError(`guarded producer: decider.tls.${name}: ${file} is not PEM`);
  return pem;
}
