import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
/** Long enough for any local run, short enough that a leaked key is soon worthless. */
const VALID_DAYS = "7";

/** PEM files of a local broker's TLS, in its work folder. */
export interface BrokerCertificates {
  /** The CA that signed the broker's certificate: what clients trust (`ssl.ca.location`). */
  readonly caFile: string;
  /** The broker's key (PKCS#8, unencrypted) and certificate in one file, Kafka's PEM key store. */
  readonly keyStoreFile: string;
}

/**
 * Makes a throwaway CA and a certificate it signs for the broker on loopback (`127.0.0.1`,
 * `localhost`) with the machine's openssl; nothing is downloaded. The CA's key is deleted by
 * removing the folder with the broker; a new start makes a new CA.
 */
export async function makeBrokerCertificates(dir: string): Promise<BrokerCertificates> {
  const file = (name: string): string => path.join(dir, name);
  const openssl = async (args: readonly string[]): Promise<void> => {
    try {
      await run("openssl", [...args]);
    } catch (error) {
      throw new Error(`openssl ${args[0] ?? ""} failed while making the local broker's certificates: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  await openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", file("ca.key"), "-out", file("ca.pem"), "-days", VALID_DAYS, "-subj", "/CN=flowzone local Kafka CA"]);
  await openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", file("broker.key"), "-out", file("broker.csr"), "-subj", "/CN=localhost"]);
  await writeFile(file("broker.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  await openssl(["x509", "-req", "-in", file("broker.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial", "-out", file("broker.pem"), "-days", VALID_DAYS, "-extfile", file("broker.ext")]);
  const keyStoreFile = file("broker-keystore.pem");
  await writeFile(keyStoreFile, (await readFile(file("broker.key"), "utf8")) + (await readFile(file("broker.pem"), "utf8")), { mode: 0o600 });
  return { caFile: file("ca.pem"), keyStoreFile };
}
