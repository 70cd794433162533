/**
 * Test certificates made at run time with the machine's openssl (nothing is downloaded, nothing
 * is committed): a throwaway CA, server certificates for 127.0.0.1 / localhost, and client
 * certificates with URI SANs such as `spiffe://example.org/svc/orders-enricher` (the producer
 * identity flowzone reads under mTLS). Every file is PEM, in a fresh temporary folder.
 *
 *   const ca = await TestCa.create();
 *   const server = await ca.server();                                  // server.cert, server.key
 *   const client = await ca.client({ uris: ["spiffe://example.org/svc/orders-enricher"] });
 *   // ca.certFile trusts both; ca.remove() in afterAll.
 */
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect, type PeerCertificate } from "node:tls";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

const VALID_DAYS = "2";

/** A certificate and its key, as files, with the certificate parsed for assertions. */
export interface IssuedCertificate {
  /** PEM certificate file. */
  readonly cert: string;
  /** PEM private key file (unencrypted PKCS#8). */
  readonly key: string;
  /** Serial number as openssl and node:crypto print it (upper-case hex). */
  readonly serialNumber: string;
  /** SHA-256 fingerprint as node:crypto prints it (`AB:CD:…`); `socket.getPeerCertificate().fingerprint256` matches. */
  readonly fingerprint256: string;
}

export interface ServerCertificateOptions {
  /** File name stem in the CA's folder; default `server` (a second call with the same name overwrites). */
  readonly name?: string;
  /** Subject alternative names; default `IP:127.0.0.1`, `DNS:localhost`. */
  readonly altNames?: readonly string[];
}

export interface ClientCertificateOptions {
  /** File name stem in the CA's folder; default `client`. */
  readonly name?: string;
  /** Common name; default the name. */
  readonly commonName?: string;
  /** URI SANs, e.g. `spiffe://example.org/svc/orders-enricher`. */
  readonly uris?: readonly string[];
}

async function openssl(args: readonly string[]): Promise<void> {
  try {
    await execFileAsync("openssl", [...args]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`openssl ${args[0] ?? ""} failed making test certificates: ${stderr.trim() || String(error)}`, { cause: error });
  }
}

/** A throwaway certificate authority in its own temporary folder. */
export class TestCa {
  private serial = 0;

  private constructor(
    /** The folder every file of this CA is written to. */
    readonly dir: string,
    /** The CA's certificate (PEM): what clients trust and what `FLOWZONE_TLS_CLIENT_CA` names. */
    readonly certFile: string,
    private readonly keyFile: string,
  ) {}

  /** Makes a CA (EC P-256, valid two days) in a new temporary folder. */
  static async create(name = "flowzone test CA"): Promise<TestCa> {
    const dir = await mkdtemp(path.join(tmpdir(), "flowzone-certs-"));
    const ca = new TestCa(dir, path.join(dir, "ca.pem"), path.join(dir, "ca.key"));
    await openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${ca.keyFile}.ec`]);
    await openssl(["pkcs8", "-topk8", "-nocrypt", "-in", `${ca.keyFile}.ec`, "-out", ca.keyFile]);
    await openssl(["req", "-x509", "-new", "-key", ca.keyFile, "-out", ca.certFile, "-days", VALID_DAYS, "-subj", `/CN=${name}`, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    await rm(`${ca.keyFile}.ec`);
    return ca;
  }

  /** A server certificate for `127.0.0.1` and `localhost` (or `altNames`), signed by this CA. */
  server(options: ServerCertificateOptions = {}): Promise<IssuedCertificate> {
    const name = options.name ?? "server";
    const altNames = options.altNames ?? ["IP:127.0.0.1", "DNS:localhost"];
    return this.issue(name, "localhost", ["extendedKeyUsage=serverAuth", `subjectAltName=${altNames.join(",")}`]);
  }

  /** A client certificate (extendedKeyUsage clientAuth) with the given URI SANs, signed by this CA. */
  client(options: ClientCertificateOptions = {}): Promise<IssuedCertificate> {
    const name = options.name ?? "client";
    const uris = options.uris ?? [];
    return this.issue(name, options.commonName ?? name, ["extendedKeyUsage=clientAuth", ...(uris.length === 0 ? [] : [`subjectAltName=${uris.map((uri) => `URI:${uri}`).join(",")}`])]);
  }

  /** Deletes the CA's folder and everything issued into it. */
  remove(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }

  private async issue(name: string, commonName: string, extensions: readonly string[]): Promise<IssuedCertificate> {
    const file = (suffix: string) => path.join(this.dir, `${name}.${suffix}`);
    this.serial += 1;
    // A serial unique across CAs and calls, so a rotated certificate is told apart by it.
    const serial = `0x${Date.now().toString(16)}${this.serial.toString(16).padStart(4, "0")}`;
    await writeFile(file("ext"), ["basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature,keyAgreement", ...extensions].join("\n") + "\n");
    await openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", file("ec")]);
    await openssl(["pkcs8", "-topk8", "-nocrypt", "-in", file("ec"), "-out", file("key")]);
    await openssl(["req", "-new", "-key", file("key"), "-out", file("csr"), "-subj", `/CN=${commonName}`]);
    await openssl(["x509", "-req", "-in", file("csr"), "-CA", this.certFile, "-CAkey", this.keyFile, "-set_serial", serial, "-out", file("pem"), "-days", VALID_DAYS, "-extfile", file("ext")]);
    await Promise.all([rm(file("ec")), rm(file("csr")), rm(file("ext"))]);
    const x509 = new X509Certificate(await readFile(file("pem")));
    return { cert: file("pem"), key: file("key"), serialNumber: x509.serialNumber, fingerprint256: x509.fingerprint256 };
  }
}

/**
 * The certificate a TLS server at 127.0.0.1:`port` presents to a new connection (verified against
 * `caFile`, for the name `localhost`), e.g. to tell which of two certificates it serves after a
 * rotation by `serialNumber` or `fingerprint256`. `alpn` `h2` speaks to a gRPC server.
 */
export async function peerCertificate(port: number, caFile: string, alpn: "h2" | "http/1.1" = "http/1.1"): Promise<PeerCertificate> {
  const ca = await readFile(caFile);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, ca, servername: "localhost", ALPNProtocols: [alpn] }, () => {
      const certificate = socket.getPeerCertificate();
      socket.destroy();
      resolve(certificate);
    });
    socket.once("error", reject);
  });
}
