import { useEffect, useState } from "preact/hooks";

/** The console's pages, by path under /ui/ (the control plane answers index.html for each). */
export type Route = { readonly page: "zones" } | { readonly page: "zone"; readonly zone: string } | { readonly page: "decision-points" } | { readonly page: "unknown" };

const BASE = "/ui/";

export function routeOf(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : "";
  if (rest === "") return { page: "zones" };
  if (rest === "decision-points") return { page: "decision-points" };
  const zone = /^zones\/([^/]+)$/.exec(rest)?.[1];
  return zone === undefined ? { page: "unknown" } : { page: "zone", zone: decodeURIComponent(zone) };
}

export const zonePath = (zone: string): string => `${BASE}zones/${encodeURIComponent(zone)}`;
export const ZONES_PATH = BASE;
export const DECISION_POINTS_PATH = `${BASE}decision-points`;

/** Follows the address bar: links call {@link navigate}, the back button fires popstate. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(location.pathname));
  useEffect(() => {
    const follow = (): void => { setRoute(routeOf(location.pathname)); };
    addEventListener("popstate", follow);
    return () => { removeEventListener("popstate", follow); };
  }, []);
  return route;
}

export function navigate(path: string): void {
  history.pushState(null, "", path);
  dispatchEvent(new PopStateEvent("popstate"));
}
