/**
 * The benchmark's certificates, made at run time with the machine's openssl into `dir`: a CA, a
 * server certificate for 127.0.0.1 and localhost, and a client certificate with a URI SAN (EC
 * P-256, as test/support/certificates.ts makes them; the bench project cannot import test/).
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface BenchCertificates {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** FLOWZONE_IDENTITIES for mTLS: the client's identity may speak for every producer of the workload. */
  readonly identities: string;
}

function openssl(args: readonly string[]): void {
  execFileSync("openssl", [...args], { stdio: ["ignore", "ignore", "pipe"] });
}

export function makeCertificates(dir: string): BenchCertificates {
  const file = (name: string): string => join(dir, name);
  const key = (name: string): void => {
    openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", file(`${name}.ec`)]);
    openssl(["pkcs8", "-topk8", "-nocrypt", "-in", file(`${name}.ec`), "-out", file(`${name}.key`)]);
  };
  key("ca");
  openssl(["req", "-x509", "-new", "-key", file("ca.key"), "-out", file("ca.pem"), "-days", "1", "-subj", "/CN=flowzone bench CA", "-addext", "basicConstraints=critical,CA:TRUE"]);
  const issue = (name: string, extensions: readonly string[]): void => {
    key(name);
    writeFileSync(file(`${name}.ext`), ["basicConstraints=CA:FALSE", ...extensions].join("\n") + "\n");
    openssl(["req", "-new", "-key", file(`${name}.key`), "-out", file(`${name}.csr`), "-subj", `/CN=${name}`]);
    openssl(["x509", "-req", "-in", file(`${name}.csr`), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial", "-out", file(`${name}.pem`), "-days", "1", "-extfile", file(`${name}.ext`)]);
  };
  issue("server", ["extendedKeyUsage=serverAuth", "subjectAltName=IP:127.0.0.1,DNS:localhost"]);
  issue("client", ["extendedKeyUsage=clientAuth", "subjectAltName=URI:spiffe://example.org/svc/bench-producer"]);
  writeFileSync(file("identities.yaml"), 'speaksFor:\n  svc:bench-producer: ["*"]\n');
  return { identities: file("identities.yaml"), ca: file("ca.pem"), serverCert: file("server.pem"), serverKey: file("server.key"), clientCert: file("client.pem"), clientKey: file("client.key") };
}
