import { invalidSetting } from "./settings";
import { loadServerTls, TLS_ENV, type ServerTlsFiles } from "./server-tls-files";
import { text } from "./setting-kinds";

/**
 * The server TLS settings every service shares (docs/reference/configuration.md, "TLS"): given, every listener of the
 * process (gRPC, the HTTP API, `/metrics`) serves TLS; with a client CA the gRPC listeners also
 * require a client certificate that chains to it. Read with `readSettings`, then checked with
 * {@link serverTlsOf}.
 */
export const SERVER_TLS_SETTINGS = {
  tlsCert: text({ env: TLS_ENV.cert, description: "Server certificate (PEM, chain after the leaf); with FLOWZONE_TLS_KEY every listener serves TLS, re-read when the file changes.", default: undefined }),
  tlsKey: text({ env: TLS_ENV.key, description: "Private key of FLOWZONE_TLS_CERT (PEM, unencrypted), re-read when the file changes.", default: undefined }),
  tlsClientCa: text({ env: TLS_ENV.clientCa, description: "CA certificates (PEM) client certificates must chain to; set, the gRPC listeners require one (mTLS).", default: undefined }),
};

/** What {@link SERVER_TLS_SETTINGS} read to. */
export interface ServerTlsSettingValues {
  readonly tlsCert: string | undefined;
  readonly tlsKey: string | undefined;
  readonly tlsClientCa: string | undefined;
}

/**
 * The server's TLS files from its settings, or undefined for plaintext. The files are read and
 * checked now, so a missing or bad file is a start-up error rather than a listener that fails
 * every handshake.
 *
 * @throws FlowzoneError `invalid_config`: a certificate without its key (or the other way round),
 *   a client CA without a certificate (naming both variables), or a file that is missing or bad.
 */
export function serverTlsOf(values: ServerTlsSettingValues): ServerTlsFiles | undefined {
  const { tlsCert, tlsKey, tlsClientCa } = values;
  if (tlsCert === undefined && tlsKey === undefined) {
    if (tlsClientCa !== undefined) throw invalidSetting(TLS_ENV.clientCa, `is set without ${TLS_ENV.cert} and ${TLS_ENV.key}; client certificates need a TLS server: set all three, or unset ${TLS_ENV.clientCa}`);
    return undefined;
  }
  if (tlsCert === undefined || tlsKey === undefined) {
    const [given, missing] = tlsCert === undefined ? [TLS_ENV.key, TLS_ENV.cert] : [TLS_ENV.cert, TLS_ENV.key];
    throw invalidSetting(given, `is set without ${missing}; TLS needs both the certificate and its key`);
  }
  const files: ServerTlsFiles = { certFile: tlsCert, keyFile: tlsKey, clientCaFile: tlsClientCa };
  loadServerTls(files);
  return files;
}
