/**
 * Times the control plane's HTTP API the way the privacy console calls it: one request at a
 * time, each answer read whole and parsed, after warm-up requests that are not counted.
 */
import { FILLED_ZONE } from "./backlog-flows";
import type { ControlBenchOptions } from "./settings";

export interface EndpointLatency {
  readonly endpoint: string;
  readonly requests: number;
  readonly medianMs: number;
  readonly p99Ms: number;
}

/** The largest page the API serves (MAX_VIOLATION_LIMIT): the walk to the deep page takes these. */
const WALK_LIMIT = 1000;

interface ZoneBody {
  readonly openViolations: number;
}
interface PageBody {
  readonly violations: readonly { readonly id: string }[];
  readonly nextCursor: string | null;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
}

function summarize(endpoint: string, timesMs: number[]): EndpointLatency {
  const sorted = timesMs.sort((a, b) => a - b);
  return { endpoint, requests: sorted.length, medianMs: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
}

async function timeGets(endpoint: string, url: string, opts: ControlBenchOptions): Promise<EndpointLatency> {
  for (let i = 0; i < opts.warmup; i++) await getJson<unknown>(url);
  const times: number[] = [];
  for (let i = 0; i < opts.requests; i++) {
    const start = performance.now();
    await getJson<unknown>(url);
    times.push(performance.now() - start);
  }
  return summarize(endpoint, times);
}

/** The open signatures `GET /v1/zones/{zone}` reports: the run fails unless it is what was stored. */
export async function reportedOpen(baseUrl: string): Promise<number> {
  return (await getJson<ZoneBody>(`${baseUrl}/v1/zones/${FILLED_ZONE}`)).openViolations;
}

/**
 * Follows nextCursor from the first page, WALK_LIMIT signatures a page, until half the backlog
 * lies behind; returns the cursor there and the time of each page of the walk.
 */
async function walkToMiddle(pagesUrl: string, signatures: number, progress: (line: string) => void): Promise<{ cursor: string; times: number[] }> {
  const pages = Math.max(1, Math.floor(signatures / 2 / WALK_LIMIT));
  const times: number[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < pages; page++) {
    const start = performance.now();
    const body: PageBody = await getJson<PageBody>(`${pagesUrl}?limit=${WALK_LIMIT}${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`);
    times.push(performance.now() - start);
    if (body.nextCursor === null || body.violations.length !== WALK_LIMIT) throw new Error(`page ${page + 1} of the walk held ${body.violations.length} signatures and no next page`);
    cursor = body.nextCursor;
    if ((page + 1) % 100 === 0) progress(`walked ${page + 1} of ${pages} pages`);
  }
  if (cursor === null) throw new Error("the walk reached no cursor");
  return { cursor, times };
}

/** Zone status, the zones list, the first page of violations and a page half the backlog deep. */
export async function measureEndpoints(baseUrl: string, opts: ControlBenchOptions, progress: (line: string) => void): Promise<EndpointLatency[]> {
  const zoneUrl = `${baseUrl}/v1/zones/${FILLED_ZONE}`;
  const pagesUrl = `${zoneUrl}/violations`;
  const results = [
    await timeGets(`GET /v1/zones/${FILLED_ZONE} (status)`, zoneUrl, opts),
    await timeGets("GET /v1/zones (list)", `${baseUrl}/v1/zones`, opts),
    await timeGets(`GET /v1/zones/${FILLED_ZONE}/violations (first page)`, pagesUrl, opts),
  ];
  progress("walking to the middle of the backlog by nextCursor");
  const walk = await walkToMiddle(pagesUrl, opts.signatures, progress);
  results.push(await timeGets(`GET /v1/zones/${FILLED_ZONE}/violations?cursor= (page ${opts.signatures / 2} signatures deep)`, `${pagesUrl}?cursor=${encodeURIComponent(walk.cursor)}`, opts));
  results.push(summarize(`the walk there: each page of ${WALK_LIMIT} (limit=${WALK_LIMIT})`, walk.times));
  return results;
}
