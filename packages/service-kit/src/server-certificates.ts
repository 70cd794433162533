import { unwatchFile, watchFile, type Stats } from "node:fs";

import { loadServerTls, type ServerTlsFiles, type ServerTlsMaterial } from "./server-tls-files";

/** How often the files are looked at (stat) for a change. */
export const TLS_POLL_INTERVAL_MS = 1_000;

/** The two log levels the watcher writes at; a pino logger is one. */
export interface TlsLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface WatchOptions {
  readonly logger: TlsLogger;
  /** How often the files are stat'ed; default {@link TLS_POLL_INTERVAL_MS}. */
  readonly pollIntervalMs?: number | undefined;
}

/**
 * A server's TLS certificate, key and client CA, re-read when their files change so a certificate
 * rotates without a restart. The files are polled (`fs.watchFile`, by path) rather than watched
 * by inode, so a file replaced by rename (as cert-manager and most tools do) is seen too.
 *
 * A certificate and its key are often written one after the other: a change is taken only when
 * every file parses and the key belongs to the certificate; until then the previous material keeps
 * being served and a warning says why. Listeners (each TLS listener of the process) hear every
 * change taken; new connections get the new certificate, open ones keep theirs.
 */
export class ServerCertificates {
  private material: ServerTlsMaterial;
  private readonly listeners = new Set<(material: ServerTlsMaterial) => void>();
  private lastProblem: string | undefined;
  private closed = false;

  private constructor(
    readonly files: ServerTlsFiles,
    private readonly logger: TlsLogger,
    pollIntervalMs: number,
  ) {
    this.material = loadServerTls(files);
    for (const file of this.watchedFiles()) watchFile(file, { interval: pollIntervalMs, persistent: false }, this.onFileChange);
  }

  /**
   * Loads the files and starts watching them.
   * @throws FlowzoneError `invalid_config` naming the variable and the file that is missing or bad.
   */
  static watch(files: ServerTlsFiles, options: WatchOptions): ServerCertificates {
    const certificates = new ServerCertificates(files, options.logger, options.pollIntervalMs ?? TLS_POLL_INTERVAL_MS);
    options.logger.info({ certFile: files.certFile, serialNumber: certificates.material.serialNumber, validTo: certificates.material.validTo, clientCa: files.clientCaFile !== undefined }, "TLS on");
    return certificates;
  }

  /** The material being served now. */
  get current(): ServerTlsMaterial {
    return this.material;
  }

  /** Whether a client CA is configured, so the gRPC listeners require client certificates. */
  get requiresClientCertificate(): boolean {
    return this.files.clientCaFile !== undefined;
  }

  /** Calls `listener` with every change taken from now on; returns the function that stops it. */
  onChange(listener: (material: ServerTlsMaterial) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Stops watching the files (listeners hear nothing more). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const file of this.watchedFiles()) unwatchFile(file, this.onFileChange);
    this.listeners.clear();
  }

  /** Reads the files again now, as a change of one of them does. */
  reload(): void {
    if (this.closed) return;
    let next: ServerTlsMaterial;
    try {
      next = loadServerTls(this.files);
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      // Once per distinct problem: a half-written pair is polled every interval until it is whole.
      if (problem !== this.lastProblem) {
        this.logger.warn({ problem, serialNumber: this.material.serialNumber }, "TLS files changed but are not usable yet; still serving the previous certificate");
      }
      this.lastProblem = problem;
      return;
    }
    this.lastProblem = undefined;
    if (next.cert.equals(this.material.cert) && next.key.equals(this.material.key) && sameBuffer(next.clientCa, this.material.clientCa)) return;
    const previous = this.material.serialNumber;
    this.material = next;
    this.logger.info({ previousSerialNumber: previous, serialNumber: next.serialNumber, validTo: next.validTo }, "TLS certificate reloaded");
    for (const listener of this.listeners) listener(next);
  }

  private readonly onFileChange = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size && current.ino === previous.ino) return;
    this.reload();
  };

  private watchedFiles(): string[] {
    return [this.files.certFile, this.files.keyFile, ...(this.files.clientCaFile === undefined ? [] : [this.files.clientCaFile])];
  }
}

function sameBuffer(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.equals(b);
}

/** How a process's listeners are secured, for its start-up log line: `off`, `tls` or `mtls` (gRPC requires client certificates). */
export function tlsMode(certificates: ServerCertificates | undefined): "off" | "tls" | "mtls" {
  if (certificates === undefined) return "off";
  return certificates.requiresClientCertificate ? "mtls" : "tls";
}
