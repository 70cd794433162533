import { BlockList, isIP } from "node:net";

import { invalidSetting } from "@flowzone/service-kit";

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/**
 * Whether binding `host` keeps a server reachable from this machine only: `localhost`, an address
 * in 127.0.0.0/8, or ::1 (also written out, IPv4-mapped as ::ffff:127.0.0.1, or with a zone).
 * Anything else, the wildcards 0.0.0.0 and :: and any other name among them, counts as reachable
 * from the network: a name is not resolved, since what it resolves to can change after start.
 */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === "localhost") return true;
  const address = host.split("%", 1)[0] ?? "";
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 4 ? "ipv4" : "ipv6");
}

/**
 * The control API's exposure rule: without bearer tokens it is open to whoever reaches it, so it
 * may then listen on loopback only. `setting` is how the caller names the host in the error.
 *
 * @throws FlowzoneError `invalid_config` naming the setting and the host, saying how to fix it.
 */
export function requireTokensOffLoopback(host: string, hasTokens: boolean, setting: string): void {
  if (hasTokens || isLoopbackHost(host)) return;
  throw invalidSetting(
    setting,
    `"${host}" is not a loopback address, and without a token file the control API would be open to anyone who can reach it; ` +
      "set FLOWZONE_TOKENS (--tokens) to a bearer token file (docs/reference/http-api.md#auth-and-exposure), or bind 127.0.0.1",
  );
}
