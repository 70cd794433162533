/**
 * What the identities file (`FLOWZONE_IDENTITIES`) says, once read: how callers authenticate
 * besides the SPIFFE rule, and for which producers each identity may speak.
 */

/** Which certificate field a mapping matches, exactly: a URI, DNS or e-mail SAN, or the subject's common name. */
export type CertificateField = "uri" | "dns" | "email" | "commonName";

/** A certificate whose `field` is exactly `value` is the caller `identity`. */
export interface CertificateMapping {
  readonly field: CertificateField;
  readonly value: string;
  readonly identity: string;
}

/** A bearer token, kept only as its SHA-256 digest. */
export interface TokenEntry {
  readonly sha256: Buffer;
  readonly identity: string;
}

/** The identities file, parsed and checked. */
export interface IdentityConfig {
  /** When given, only SPIFFE ids of these trust domains name an identity by the SPIFFE rule. */
  readonly trustDomains: readonly string[] | undefined;
  readonly certificates: readonly CertificateMapping[];
  readonly tokens: readonly TokenEntry[];
  /** Identity → producer asset-id patterns it may claim besides itself (`*` is any producer). */
  readonly speaksFor: ReadonlyMap<string, readonly string[]>;
}

/** No file: the SPIFFE rule alone, no tokens, every identity speaks only for itself. */
export const NO_IDENTITY_FILE: IdentityConfig = { trustDomains: undefined, certificates: [], tokens: [], speaksFor: new Map() };
