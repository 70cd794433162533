import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConsoleAssets } from "./console-assets";

describe("ConsoleAssets", () => {
  // dist/ inside a folder that also holds a file the console must never serve.
  const root = mkdtempSync(join(tmpdir(), "console-"));
  const dir = join(root, "dist");
  mkdirSync(join(dir, "assets"), { recursive: true });
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>console</title>");
  writeFileSync(join(dir, "assets", "index-abc123.js"), "console.log(1)");
  writeFileSync(join(dir, "notes.txt"), "not a type the console serves");
  writeFileSync(join(root, "outside.html"), "outside");
  afterAll(() => { rmSync(root, { recursive: true, force: true }); });
  const assets = ConsoleAssets.load(dir);
  const text = (path: string): string => assets.answer(path).body?.toString("utf8") ?? "";

  it("redirects /ui to /ui/ and serves index.html there, revalidated, with its CSP", () => {
    expect(assets.answer("/ui")).toEqual({ status: 301, headers: { location: "/ui/", "cache-control": "no-cache" } });
    const index = assets.answer("/ui/");
    expect(index.headers).toMatchObject({ "content-type": "text/html; charset=utf-8", "cache-control": "no-cache", "x-content-type-options": "nosniff" });
    expect(index.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(text("/ui/")).toContain("<title>console</title>");
  });

  it("serves hashed assets with their type, cached for good", () => {
    expect(assets.answer("/ui/assets/index-abc123.js").headers).toMatchObject({ "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=31536000, immutable" });
    expect(text("/ui/assets/index-abc123.js")).toBe("console.log(1)");
  });

  it("answers index.html for the console's pages, 404 for a missing file, and never reads outside its folder", () => {
    expect(text("/ui/zones/banana")).toContain("<title>console</title>");
    expect(() => assets.answer("/ui/assets/gone.js")).toThrow("no console file /ui/assets/gone.js");
    expect(() => assets.answer("/ui/notes.txt")).toThrow("no console file /ui/notes.txt");
    expect(() => assets.answer("/ui/../outside.html")).toThrow("no console file");
    expect(() => assets.answer("/ui/%2e%2e/outside.html")).toThrow("no console file");
  });

  it("says how to build the console when it was not built", () => {
    const none = ConsoleAssets.load(join(dir, "missing"));
    expect(() => none.answer("/ui/")).toThrow("the console is not built: run npm run build");
    expect(none.answer("/ui").status).toBe(301);
  });

  it("owns /ui and what lies under /ui/ only", () => {
    expect([ConsoleAssets.owns("/ui"), ConsoleAssets.owns("/ui/x"), ConsoleAssets.owns("/uix"), ConsoleAssets.owns("/v1/zones")]).toEqual([true, true, false, false]);
  });
});
