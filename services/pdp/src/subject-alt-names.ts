/**
 * Reading a client certificate's subject alternative names as Node prints them
 * (`PeerCertificate.subjectaltname`, e.g. `DNS:gw.example, URI:spiffe://example.org/svc/orders`),
 * and the SPIFFE rule that turns a URI SAN into a producer's asset id.
 */
import { isAssetId } from "@flowzone/engine";

/** One subject alternative name: its type as Node prints it (`URI`, `DNS`, `email`, `IP Address`) and its value. */
export interface SubjectAltName {
  readonly type: string;
  readonly value: string;
}

const SEPARATOR = ", ";

/**
 * Splits Node's `subjectaltname` text into its entries. Node joins them with `, ` and, since
 * the fix for CVE-2021-44532, writes a value holding a comma, a quote or a control character as
 * a JSON string (`URI:"spiffe://x/a,b"`), so a crafted SAN cannot pass for two; such a value is
 * decoded here. Text that is not in that shape yields no entry for its malformed part rather
 * than a guess.
 */
export function parseSubjectAltNames(text: string | undefined): SubjectAltName[] {
  const names: SubjectAltName[] = [];
  if (text === undefined) return names;
  let at = 0;
  while (at < text.length) {
    const colon = text.indexOf(":", at);
    if (colon < 0) break;
    const type = text.slice(at, colon);
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      const end = closingQuote(text, colon + 2);
      if (end < 0) break;
      try {
        value = JSON.parse(text.slice(colon + 1, end + 1)) as string;
      } catch {
        break;
      }
      next = text.startsWith(SEPARATOR, end + 1) ? end + 1 + SEPARATOR.length : end + 1 === text.length ? text.length : -1;
      if (next < 0) break;
    } else {
      const end = text.indexOf(SEPARATOR, colon + 1);
      value = text.slice(colon + 1, end < 0 ? text.length : end);
      next = end < 0 ? text.length : end + SEPARATOR.length;
    }
    names.push({ type, value });
    at = next;
  }
  return names;
}

/** The index of the quote closing a JSON string whose content starts at `from`; -1 when none. */
function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

const SPIFFE_SCHEME = "spiffe://";
/** A SPIFFE trust domain: lower-case letters, digits, dots, dashes and underscores. */
const TRUST_DOMAIN = /^[a-z0-9._-]+$/;

/** A SPIFFE id split into its trust domain and its path segments. */
export interface SpiffeId {
  readonly trustDomain: string;
  readonly segments: readonly string[];
}

/** Splits `spiffe://<trust-domain>/<path>`; undefined for anything that is not a SPIFFE id. */
export function parseSpiffeId(uri: string): SpiffeId | undefined {
  if (!uri.startsWith(SPIFFE_SCHEME)) return undefined;
  const rest = uri.slice(SPIFFE_SCHEME.length);
  const slash = rest.indexOf("/");
  const trustDomain = slash < 0 ? rest : rest.slice(0, slash);
  if (!TRUST_DOMAIN.test(trustDomain) || slash < 0) return undefined;
  return { trustDomain, segments: rest.slice(slash + 1).split("/") };
}

/**
 * The asset id a SPIFFE URI SAN names: `spiffe://<trust-domain>/<kind>/<name>` is `<kind>:<name>`
 * (`spiffe://example.org/svc/marketing-sync` is `svc:marketing-sync`). Undefined for any other
 * URI, for a path of more or fewer than two segments (`spiffe://td/ns/prod/sa/x` needs a mapping
 * in the identities file), for a kind or name that is not a well-formed asset id, and, when
 * `trustDomains` is given, for a trust domain not in it.
 */
export function spiffeAssetId(uri: string, trustDomains?: ReadonlySet<string>): string | undefined {
  const id = parseSpiffeId(uri);
  if (id === undefined || id.segments.length !== 2) return undefined;
  if (trustDomains !== undefined && !trustDomains.has(id.trustDomain)) return undefined;
  const [kind, name] = id.segments as [string, string];
  const assetId = `${kind}:${name}`;
  return isAssetId(assetId) ? assetId : undefined;
}
