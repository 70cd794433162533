import { X509Certificate, createPrivateKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";

import { invalidSetting } from "./settings";

/** The PEM files a server's TLS is made of (`FLOWZONE_TLS_CERT`, `FLOWZONE_TLS_KEY`, `FLOWZONE_TLS_CLIENT_CA`). */
export interface ServerTlsFiles {
  /** The server's certificate chain: its certificate first, then any intermediates. */
  readonly certFile: string;
  /** The certificate's private key, unencrypted. */
  readonly keyFile: string;
  /** CA certificates client certificates must chain to; given, the gRPC listeners require one (mTLS). */
  readonly clientCaFile?: string | undefined;
}

/** The files' contents, checked: the certificate parses, the key parses and is the certificate's. */
export interface ServerTlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly clientCa: Buffer | undefined;
  /** The leaf certificate's serial number (hex), for logs. */
  readonly serialNumber: string;
  /** When the leaf certificate expires, as X.509 prints it. */
  readonly validTo: string;
}

/** The variables the files come from; errors name them with the file. */
export const TLS_ENV = { cert: "FLOWZONE_TLS_CERT", key: "FLOWZONE_TLS_KEY", clientCa: "FLOWZONE_TLS_CLIENT_CA" } as const;

/**
 * Reads and checks the server's TLS files: the certificate and the client CA must be PEM
 * certificates, the key a PEM private key that belongs to the certificate. Used at start-up (a
 * bad file stops the service) and on every change of the files (a bad state is skipped).
 *
 * @throws FlowzoneError `invalid_config` naming the variable, the file and what is wrong with it.
 */
export function loadServerTls(files: ServerTlsFiles): ServerTlsMaterial {
  const cert = readPem(TLS_ENV.cert, files.certFile);
  const key = readPem(TLS_ENV.key, files.keyFile);
  const clientCa = files.clientCaFile === undefined ? undefined : readPem(TLS_ENV.clientCa, files.clientCaFile);
  const leaf = certificateOf(TLS_ENV.cert, files.certFile, cert);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw invalidSetting(TLS_ENV.key, `${files.keyFile} is not an unencrypted PEM private key (${messageOf(error)})`);
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw invalidSetting(`${TLS_ENV.cert} and ${TLS_ENV.key}`, `${files.keyFile} is not the private key of the certificate in ${files.certFile}`);
  }
  if (clientCa !== undefined && files.clientCaFile !== undefined) certificateOf(TLS_ENV.clientCa, files.clientCaFile, clientCa);
  return { cert, key, clientCa, serialNumber: leaf.serialNumber, validTo: leaf.validTo };
}

function readPem(name: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw invalidSetting(name, `${file} cannot be read (${messageOf(error)})`);
  }
}

function certificateOf(name: string, file: string, pem: Buffer): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw invalidSetting(name, `${file} is not a PEM certificate (${messageOf(error)})`);
  }
}

/** An error's message without the path a file error repeats (the message names the file already). */
function messageOf(error: unknown): string {
  const message = typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error);
  return message.replace(/, open '.*'$/, "");
}
