import { useEffect, useState } from "preact/hooks";
import { ApiError, callApi } from "./api";
import { DecisionPointsPage } from "./decision-points-page";
import { Link } from "./link";
import { DECISION_POINTS_PATH, useRoute, ZONES_PATH } from "./route";
import { SessionContext, type Session } from "./session-context";
import { forgetToken, storedToken, storeToken } from "./session";
import { TokenForm } from "./token-form";
import type { Me } from "./wire";
import { ZonePage } from "./zone-page";
import { ZonesPage } from "./zones-page";

/**
 * Signs in (GET /v1/me) with the tab's token, or with none first: a control plane without a token
 * file (flowzone dev) needs none. Asks for a token when one is needed, then shows the page the
 * address names.
 */
export function App() {
  const [token, setToken] = useState(storedToken);
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (asking) return;
    callApi<Me>(token ?? "", "GET", "/v1/me").then(
      (me) => { setSession({ token: token ?? "", me }); },
      (failure: unknown) => {
        const unauthenticated = failure instanceof ApiError && failure.status === 401;
        // Without a token a 401 only means one is needed; anything else is worth saying.
        if (token !== null || !unauthenticated) setError(unauthenticated ? `Not signed in: ${failure.message}` : String(failure));
        forgetToken();
        setToken(null);
        setAsking(true);
      },
    );
  }, [token, asking]);
  if (asking) {
    return <TokenForm error={error} onToken={(value) => { storeToken(value); setError(undefined); setToken(value); setAsking(false); }} />;
  }
  if (session === undefined) return <p class="loading">Signing in…</p>;
  const signOut = (): void => { forgetToken(); setSession(undefined); setToken(null); setAsking(true); };
  return (
    <SessionContext.Provider value={session}>
      <header>
        <p class="brand">flowzone privacy console</p>
        <nav aria-label="Pages">
          <Link href={ZONES_PATH}>Zones</Link>
          <Link href={DECISION_POINTS_PATH}>Decision points</Link>
        </nav>
        <p class="who">
          {session.me.subject} ({session.me.role}) <button type="button" class="link" onClick={signOut}>Sign out</button>
        </p>
      </header>
      <Page />
    </SessionContext.Provider>
  );
}

function Page() {
  const route = useRoute();
  useEffect(() => { window.scrollTo(0, 0); }, [route]);
  switch (route.page) {
    case "zones":
      return <ZonesPage />;
    case "zone":
      return <ZonePage zone={route.zone} />;
    case "decision-points":
      return <DecisionPointsPage />;
    case "unknown":
      return <main><h1>Not found</h1><p>No page here. <Link href={ZONES_PATH}>See the zones</Link>.</p></main>;
  }
}
