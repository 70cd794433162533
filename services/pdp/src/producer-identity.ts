import { FlowzoneError } from "@flowzone/errors";
import type { Logger } from "@flowzone/logging";

import { CallerAuthenticator } from "./caller-authenticator";
import { NO_IDENTITY_FILE } from "./identity-config";
import { loadIdentityFile } from "./identity-file";

/** What decides whether and how the decision service authenticates its callers. */
export interface ProducerIdentitySettings {
  /** `FLOWZONE_IDENTITIES`: the identities file, if any. */
  readonly identitiesFile: string | undefined;
  /** Whether the gRPC listener requires client certificates (`FLOWZONE_TLS_CLIENT_CA`). */
  readonly clientCertificates: boolean;
  /** Whether the gRPC listener serves TLS at all (`FLOWZONE_TLS_CERT`). */
  readonly tls: boolean;
}

/**
 * The decision service's authenticator, or undefined when callers are not authenticated (no
 * client CA, no identities file): then every producer is taken as claimed, as before producer
 * identity existed, and a warning says so. Called at start, before anything is opened, so a bad
 * file stops the start.
 *
 * @throws FlowzoneError `invalid_config` for a bad identities file, or one that could never apply:
 *   without a client CA, a file without tokens authenticates nobody, and certificate mappings or
 *   trust domains would be ignored.
 */
export async function producerIdentity(settings: ProducerIdentitySettings, logger: Logger): Promise<CallerAuthenticator | undefined> {
  const { identitiesFile, clientCertificates } = settings;
  if (identitiesFile === undefined && !clientCertificates) {
    logger.warn(
      "producers are not authenticated: any caller may claim any producer (set FLOWZONE_TLS_CLIENT_CA for client certificates, or FLOWZONE_IDENTITIES with bearer tokens)",
    );
    return undefined;
  }
  const config = identitiesFile === undefined ? NO_IDENTITY_FILE : await loadIdentityFile(identitiesFile);
  if (!clientCertificates) {
    const certificateOnly = [config.certificates.length > 0 ? "certificates" : "", config.trustDomains === undefined ? "" : "trustDomains"].filter((key) => key !== "");
    if (certificateOnly.length > 0) {
      throw new FlowzoneError("invalid_config", `FLOWZONE_IDENTITIES: ${identitiesFile ?? ""} has ${certificateOnly.join(" and ")}, which apply only to client certificates, but FLOWZONE_TLS_CLIENT_CA is not set; set it, or remove them`);
    }
    if (config.tokens.length === 0) {
      throw new FlowzoneError("invalid_config", `FLOWZONE_IDENTITIES: ${identitiesFile ?? ""} has no tokens and FLOWZONE_TLS_CLIENT_CA is not set, so no caller could be authenticated; add tokens, or set the client CA`);
    }
  }
  if (config.tokens.length > 0 && !settings.tls) {
    logger.warn("bearer tokens are accepted over plaintext gRPC: anyone on the path can read them (set FLOWZONE_TLS_CERT and FLOWZONE_TLS_KEY)");
  }
  logger.info(
    {
      clientCertificates,
      tokens: config.tokens.length,
      certificateMappings: config.certificates.length,
      trustDomains: config.trustDomains ?? "any",
      speaksFor: Object.fromEntries(config.speaksFor),
    },
    `producers are authenticated (${[clientCertificates ? "client certificates" : "", config.tokens.length > 0 ? "bearer tokens" : ""].filter((way) => way !== "").join(" and ")}); a caller may claim only the producers it speaks for`,
  );
  return new CallerAuthenticator(config);
}
