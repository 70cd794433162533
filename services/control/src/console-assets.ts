import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, extname, join, relative, sep } from "node:path";
import { FlowzoneError } from "@flowzone/errors";

/** What `GET /ui/...` answers. */
export interface ConsoleAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

export const CONSOLE_PREFIX = "/ui/";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
};

// The console talks to its own origin only: no CDN, no third-party script, no framing.
const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * The privacy console's built files (packages/console/dist), read once at start and served from
 * memory: a request can only name a file that is in the map, so no path reaches the disk
 * (no traversal). Paths under /ui/ that are no file are the console's own pages and get
 * index.html; a missing asset is a 404. Vite names assets by content hash, so they are cached
 * for good; index.html is revalidated, so a new build is picked up at once.
 */
export class ConsoleAssets {
  private constructor(private readonly files: ReadonlyMap<string, ConsoleAnswer>) {}

  /** The built console under `dir` (default: @flowzone/console's dist); none when it was not built. */
  static load(dir: string = defaultConsoleDir()): ConsoleAssets {
    const files = new Map<string, ConsoleAnswer>();
    if (existsSync(dir)) {
      for (const path of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
        const type = TYPES[extname(path)];
        if (type === undefined) continue;
        const url = CONSOLE_PREFIX + relative(dir, join(dir, path)).split(sep).join("/");
        const immutable = url.startsWith(`${CONSOLE_PREFIX}assets/`);
        const headers: Record<string, string> = {
          "content-type": type,
          "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
          "x-content-type-options": "nosniff",
        };
        if (type.startsWith("text/html")) headers["content-security-policy"] = CONTENT_SECURITY_POLICY;
        files.set(url, { status: 200, headers, body: readFileSync(join(dir, path)) });
      }
    }
    return new ConsoleAssets(files);
  }

  /** Whether `pathname` is the console's: `/ui` or anything under `/ui/`. */
  static owns(pathname: string): boolean {
    return pathname === "/ui" || pathname.startsWith(CONSOLE_PREFIX);
  }

  /**
   * @throws FlowzoneError `not_found` for a missing asset, or any page when the console was not built.
   */
  answer(pathname: string): ConsoleAnswer {
    if (pathname === "/ui") return { status: 301, headers: { location: CONSOLE_PREFIX, "cache-control": "no-cache" } };
    const index = this.files.get(`${CONSOLE_PREFIX}index.html`);
    if (index === undefined) throw new FlowzoneError("not_found", "the console is not built: run npm run build, then restart the control plane");
    const file = this.files.get(pathname === CONSOLE_PREFIX ? `${CONSOLE_PREFIX}index.html` : pathname);
    if (file !== undefined) return file;
    // A file name (an extension) or the assets folder is a file that is not there; anything else is a page.
    if (pathname.startsWith(`${CONSOLE_PREFIX}assets/`) || extname(pathname) !== "") throw new FlowzoneError("not_found", `no console file ${pathname}`);
    return index;
  }
}

function defaultConsoleDir(): string {
  return join(dirname(require.resolve("@flowzone/console/package.json")), "dist");
}
