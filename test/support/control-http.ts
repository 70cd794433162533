/** Reads of a running control plane's HTTP API, for tests that start `flowzone control` as a process. */

/** GET `url` as JSON, with its status; bounded at 10 s. */
export async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The zone's open violations as `GET /v1/zones/{zone}` answers them; throws naming the status on any other answer. */
export async function openViolations(base: string, zone: string): Promise<number> {
  const { status, body } = await getJson(`${base}/v1/zones/${zone}`);
  if (status !== 200) throw new Error(`GET /v1/zones/${zone} answered ${status}: ${JSON.stringify(body)}`);
  return body["openViolations"] as number;
}
