import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { callApi } from "./api";
import type { Me } from "./wire";

export interface Session {
  readonly token: string;
  readonly me: Me;
}

export const SessionContext = createContext<Session | undefined>(undefined);

/** The signed-in session; pages are only shown inside one. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error("no session: pages render inside <App>");
  return session;
}

/** Whether this token may change anything (the API says the same with 403 otherwise). */
export const canChange = (session: Session): boolean => session.me.role === "privacy-admin";

/** Calls the API with the session's token. */
export function useApi(): <T>(method: string, path: string, body?: unknown) => Promise<T> {
  const { token } = useSession();
  return (method, path, body) => callApi(token, method, path, body);
}
