import { useState } from "preact/hooks";

/** Asks for a bearer token from the control plane's token file (FLOWZONE_TOKENS). */
export function TokenForm({ error, onToken }: { error: string | undefined; onToken: (token: string) => void }) {
  const [token, setToken] = useState("");
  const submit = (event: Event): void => {
    event.preventDefault();
    if (token.trim() !== "") onToken(token.trim());
  };
  return (
    <main class="sign-in">
      <h1>flowzone privacy console</h1>
      <form onSubmit={submit}>
        <label for="token">API token</label>
        <input id="token" type="password" autocomplete="off" value={token} onInput={(e) => { setToken(e.currentTarget.value); }} required />
        <p class="hint">A token from the control plane's token file. It is kept for this tab only and forgotten when the tab closes.</p>
        {error !== undefined && <p role="alert" class="error">{error}</p>}
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}
