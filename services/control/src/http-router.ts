/**
 * A routing table for a dozen fixed routes: path patterns with `{name}` segments, matched
 * segment by segment. A framework would bring more surface than these routes need; this one
 * also tells 404 (no such path) from 405 (path known, method not), with the allowed methods.
 */

/** One route: `GET /v1/zones/{zone}` and what serves it. */
export interface Route<H> {
  readonly method: string;
  /** Segments separated by "/"; `{name}` matches one non-empty segment, URI-decoded. */
  readonly pattern: string;
  readonly handler: H;
}

export type RouteMatch<H> =
  | { readonly kind: "found"; readonly route: Route<H>; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: "method_not_allowed"; readonly allowed: readonly string[] }
  | { readonly kind: "not_found" };

export class Router<H> {
  private readonly routes: readonly { readonly route: Route<H>; readonly segments: readonly string[] }[];

  constructor(routes: readonly Route<H>[]) {
    this.routes = routes.map((route) => ({ route, segments: route.pattern.split("/") }));
  }

  /** Matches a request's method and path (without the query string). */
  match(method: string, path: string): RouteMatch<H> {
    const segments = path.split("/");
    const allowed: string[] = [];
    for (const { route, segments: pattern } of this.routes) {
      const params = matchSegments(pattern, segments);
      if (params === undefined) continue;
      if (route.method === method) return { kind: "found", route, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { kind: "method_not_allowed", allowed } : { kind: "not_found" };
  }
}

function matchSegments(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i] ?? "";
    const actual = segments[i] ?? "";
    if (expected.startsWith("{") && expected.endsWith("}")) {
      const value = decode(actual);
      if (value === undefined || value === "") return undefined;
      params[expected.slice(1, -1)] = value;
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
