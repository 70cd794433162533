import { MetricsToken } from "./metrics-token";

const TOKEN = "scrape-token-0123456789abcdef";
const token = new MetricsToken(TOKEN);

describe("MetricsToken", () => {
  it.each([`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `  Bearer   ${TOKEN}  `])("lets %p through", (header) => {
    expect(token.refusal(header)).toBeUndefined();
  });

  it.each([
    [undefined, "GET /metrics needs the metrics token: send 'Authorization: Bearer <token>' with the token of FLOWZONE_METRICS_TOKEN_FILE"],
    ["", "GET /metrics needs the metrics token: send 'Authorization: Bearer <token>' with the token of FLOWZONE_METRICS_TOKEN_FILE"],
    [`Basic ${TOKEN}`, "malformed Authorization header: send 'Authorization: Bearer <token>' with the token of FLOWZONE_METRICS_TOKEN_FILE"],
    [TOKEN, "malformed Authorization header: send 'Authorization: Bearer <token>' with the token of FLOWZONE_METRICS_TOKEN_FILE"],
    [`Bearer ${TOKEN}x`, "the bearer token is not the metrics token"],
    [`Bearer ${TOKEN.slice(0, -1)}`, "the bearer token is not the metrics token"],
    [`Bearer ${TOKEN.toUpperCase()}`, "the bearer token is not the metrics token"],
  ])("refuses %p, saying why", (header, why) => {
    expect(token.refusal(header)).toBe(why);
  });
});
