/**
 * The bearer token, kept for this tab only (sessionStorage): closing the tab forgets it, and
 * other tabs and sites never see it.
 */
const KEY = "flowzone.token";

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
