import { FlowzoneError } from "@flowzone/errors";
import type { Logger } from "@flowzone/logging";

import { CallerAuthenticator } from "./caller-authenticator";
import { NO_IDENTITY_FILE, type IdentityConfig } from "./identity-config";
import { readIdentityFile } from "./identity-file";
import { IdentityFileWatcher } from "./identity-file-watcher";

/** What decides whether and how the decision service authenticates its callers. */
export interface ProducerIdentitySettings {
  /** `FLOWZONE_IDENTITIES`: the identities file, if any. */
  readonly identitiesFile: string | undefined;
  /** Whether the gRPC listener requires client certificates (`FLOWZONE_TLS_CLIENT_CA`). */
  readonly clientCertificates: boolean;
  /** Whether the gRPC listener serves TLS at all (`FLOWZONE_TLS_CERT`). */
  readonly tls: boolean;
}

/** The decision service's authenticator, kept up to date with the identities file. */
export interface ProducerIdentity {
  readonly authenticator: CallerAuthenticator;
  /** Stops re-reading the identities file. */
  close(): void;
}

/**
 * The decision service's authenticator, or undefined when callers are not authenticated (no
 * client CA, no identities file): then every producer is taken as claimed, as before producer
 * identity existed, and a warning says so. Called at start, before anything is opened, so a bad
 * file stops the start. From then on the file is re-read when it changes
 * ({@link IdentityFileWatcher}): a change is held to the same rules as the file at start.
 *
 * @throws FlowzoneError `invalid_config` for a bad identities file, or one that could never apply:
 *   without a client CA, a file without tokens authenticates nobody, and certificate mappings or
 *   trust domains would be ignored.
 */
export function producerIdentity(settings: ProducerIdentitySettings, logger: Logger, pollIntervalMs?: number): ProducerIdentity | undefined {
  const { identitiesFile, clientCertificates } = settings;
  if (identitiesFile === undefined && !clientCertificates) {
    logger.warn(
      "producers are not authenticated: any caller may claim any producer (set FLOWZONE_TLS_CLIENT_CA for client certificates, or FLOWZONE_IDENTITIES with bearer tokens)",
    );
    return undefined;
  }
  const config = identitiesFile === undefined ? NO_IDENTITY_FILE : readIdentityFile(identitiesFile);
  checkApplicable(config, settings, logger);
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
  const authenticator = new CallerAuthenticator(config);
  if (identitiesFile === undefined) return { authenticator, close: () => undefined };
  const watcher = new IdentityFileWatcher(
    identitiesFile,
    (next) => {
      checkApplicable(next, settings, logger);
      authenticator.use(next);
    },
    logger,
    pollIntervalMs,
  );
  return { authenticator, close: () => { watcher.close(); } };
}

/**
 * Refuses a file that could never apply, and warns when its tokens would travel in plaintext.
 * @throws FlowzoneError `invalid_config` naming what is wrong.
 */
function checkApplicable(config: IdentityConfig, settings: ProducerIdentitySettings, logger: Logger): void {
  const { identitiesFile, clientCertificates } = settings;
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
}
