import { createHash, timingSafeEqual } from "node:crypto";
import type { PeerCertificate } from "node:tls";

import type { Credential } from "@flowzone/audit";
import { compilePatterns, matchesAny, type PatternMatcher } from "@flowzone/engine";
import { FlowzoneError } from "@flowzone/errors";

import type { CertificateField, CertificateMapping, IdentityConfig, TokenEntry } from "./identity-config";
import { parseSubjectAltNames, spiffeAssetId } from "./subject-alt-names";

/** An authenticated caller: its identity (an asset id) and the credential that proved it. */
export interface Caller {
  readonly identity: string;
  readonly credential: Credential;
}

/** What a call presents. */
export interface CallerCredentials {
  /**
   * The client certificate the TLS handshake verified against `FLOWZONE_TLS_CLIENT_CA`
   * (grpc-js `call.getAuthContext().sslPeerCertificate`, set only when it was verified).
   */
  readonly certificate: Pick<PeerCertificate, "subjectaltname" | "subject"> | undefined;
  /** The call's `authorization` metadata values. */
  readonly authorization: readonly string[];
}

/** SAN types as Node prints them, by the identities file's field name. */
const SAN_TYPES: Readonly<Record<Exclude<CertificateField, "commonName">, string>> = { uri: "URI", dns: "DNS", email: "email" };

/**
 * Tells who a caller of the decision service is, and whether it may speak for the producer a
 * request claims (contract section 9). A verified client certificate names its identity by a
 * mapping of the identities file or, failing one, by the SPIFFE rule (`spiffe://<td>/svc/x` is
 * `svc:x`); a bearer token names the identity the file gives it. A caller speaks for itself and
 * for the producers its `speaksFor` patterns cover.
 *
 * Tokens are compared as SHA-256 digests with `timingSafeEqual` against every entry without
 * stopping at a match, so neither a token's content nor its position leaks through timing.
 */
export class CallerAuthenticator {
  private rules: Rules;

  constructor(config: IdentityConfig) {
    this.rules = rulesOf(config);
  }

  /**
   * Authenticates by `config` from now on (the identities file changed): one swap, so a call sees
   * the old rules or the new ones, never a mix; a revoked token fails from the next call on.
   */
  use(config: IdentityConfig): void {
    this.rules = rulesOf(config);
  }

  /**
   * The caller presenting `credentials`. A certificate and a token on one call must name the
   * same identity; one of them is enough.
   *
   * @throws FlowzoneError `unauthenticated` saying what is missing or wrong.
   */
  authenticate(credentials: CallerCredentials): Caller {
    const byCertificate = credentials.certificate === undefined ? undefined : this.certificateIdentity(credentials.certificate);
    const byToken = credentials.authorization.length === 0 ? undefined : this.tokenIdentity(credentials.authorization);
    if (byCertificate !== undefined && byToken !== undefined && byCertificate !== byToken) {
      throw new FlowzoneError("unauthenticated", `the client certificate names ${byCertificate} but the bearer token names ${byToken}; a call is one caller`, {
        metadata: { certificateIdentity: byCertificate, tokenIdentity: byToken },
      });
    }
    if (byCertificate !== undefined) return { identity: byCertificate, credential: "client_certificate" };
    if (byToken !== undefined) return { identity: byToken, credential: "bearer_token" };
    throw new FlowzoneError("unauthenticated", "the decision service authenticates its callers: present a client certificate (mTLS) or send the metadata 'authorization: Bearer <token>'");
  }

  /** Whether `identity` may claim `producer`: itself, or a producer its speaksFor patterns cover. */
  maySpeakFor(identity: string, producer: string): boolean {
    if (identity === producer) return true;
    const grant = this.rules.grants.get(identity);
    return grant !== undefined && matchesAny(grant, producer);
  }

  /** The one identity a verified certificate names. @throws FlowzoneError `unauthenticated` for none or several. */
  private certificateIdentity(certificate: Pick<PeerCertificate, "subjectaltname" | "subject">): string {
    const { mappings, trustDomains } = this.rules;
    const names = parseSubjectAltNames(certificate.subjectaltname);
    const found = new Set<string>();
    for (const name of names) {
      const mapped = mappings.get(`${name.type}\0${name.value}`);
      const identity = mapped ?? (name.type === "URI" ? spiffeAssetId(name.value, trustDomains) : undefined);
      if (identity !== undefined) found.add(identity);
    }
    const commonNames = commonNamesOf(certificate.subject);
    for (const commonName of commonNames) {
      const mapped = mappings.get(mappingKey("commonName", commonName));
      if (mapped !== undefined) found.add(mapped);
    }
    if (found.size === 1) return [...found][0] as string;
    const shown = [...names.map((name) => `${name.type}:${name.value}`), ...commonNames.map((cn) => `CN=${cn}`)].join(", ") || "none";
    if (found.size === 0) {
      throw new FlowzoneError(
        "unauthenticated",
        `the client certificate names no producer identity (it has ${shown}): give it a URI SAN spiffe://<trust-domain>/<kind>/<name>${trustDomains === undefined ? "" : ` of trust domain ${[...trustDomains].join(" or ")}`}, or map it under certificates in the identities file`,
      );
    }
    throw new FlowzoneError("unauthenticated", `the client certificate names several identities (${[...found].join(", ")}); a certificate must name exactly one`);
  }

  /** The identity a bearer token names. @throws FlowzoneError `unauthenticated` for a malformed or unknown token. */
  private tokenIdentity(authorization: readonly string[]): string {
    if (authorization.length > 1) throw new FlowzoneError("unauthenticated", `the call carries ${authorization.length} authorization values; send one 'authorization: Bearer <token>'`);
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec((authorization[0] ?? "").trim());
    if (match?.[1] === undefined) throw new FlowzoneError("unauthenticated", "malformed authorization metadata: expected 'Bearer <token>'");
    const presented = createHash("sha256").update(match[1], "utf8").digest();
    let found: string | undefined;
    for (const token of this.rules.tokens) {
      if (timingSafeEqual(token.sha256, presented) && found === undefined) found = token.identity;
    }
    if (found === undefined) throw new FlowzoneError("unauthenticated", "the bearer token is not valid");
    return found;
  }
}

/** The identities file compiled for lookups. */
interface Rules {
  readonly mappings: ReadonlyMap<string, string>;
  readonly trustDomains: ReadonlySet<string> | undefined;
  readonly tokens: readonly TokenEntry[];
  readonly grants: ReadonlyMap<string, PatternMatcher>;
}

function rulesOf(config: IdentityConfig): Rules {
  return {
    mappings: new Map(config.certificates.map((mapping) => [mappingKey(mapping.field, mapping.value), mapping.identity])),
    trustDomains: config.trustDomains === undefined ? undefined : new Set(config.trustDomains),
    tokens: config.tokens,
    grants: new Map([...config.speaksFor].map(([identity, patterns]) => [identity, compilePatterns(patterns)])),
  };
}

function mappingKey(field: CertificateMapping["field"], value: string): string {
  return field === "commonName" ? `CN\0${value}` : `${SAN_TYPES[field]}\0${value}`;
}

/** The subject's common names (Node gives an array when the subject repeats CN). */
function commonNamesOf(subject: PeerCertificate["subject"] | undefined): string[] {
  // Typed as one string, but Node gives an array for a repeated CN.
  const cn: string | readonly string[] | undefined = subject?.CN;
  return cn === undefined ? [] : typeof cn === "string" ? [cn] : [...cn];
}
