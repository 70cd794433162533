/**
 * The SDK goes into every producer, so it loads and depends on only what it uses: `@flowzone/sdk`
 * (remote decisions) loads no OpenTelemetry SDK, Prometheus exporter, gRPC reflection or health,
 * and no engine; `@flowzone/sdk/embedded` loads the engine. Checked on the built package, through
 * its `exports` map, in a fresh Node process (what a producer's `require` really loads).
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const SDK = join(ROOT, "packages", "sdk");

/** What a producer must not load by taking the SDK for remote decisions. */
const NOT_FOR_REMOTE: readonly (readonly [string, RegExp])[] = [
  ["the OpenTelemetry SDK", /\/node_modules\/@opentelemetry\/sdk-metrics\//],
  ["the Prometheus exporter", /\/node_modules\/@opentelemetry\/exporter-prometheus\//],
  ["gRPC reflection", /\/node_modules\/@grpc\/reflection\//],
  ["gRPC health", /\/node_modules\/grpc-health-check\//],
  ["proto-loader", /\/node_modules\/@grpc\/proto-loader\//],
  ["flowzone telemetry", /\/packages\/telemetry\//],
  ["flowzone grpc-kit", /\/packages\/grpc-kit\//],
  ["the engine", /\/packages\/engine\//],
  ["the policy runtime", /\/packages\/policy-runtime\//],
  ["the bundle source", /\/packages\/bundle-source\//],
  ["the control feed", /\/packages\/control-feed\//],
  ["the audit writer", /\/packages\/audit\//],
];

/** Files a fresh Node process has loaded after `require(specifier)`, from the module cache. */
function modulesLoadedBy(specifier: string): string[] {
  const script = `require(${JSON.stringify(specifier)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  const child = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
  if (child.status !== 0) throw new Error(`require("${specifier}") failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as string[];
}

function manifest(dir: string): { dependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
}

/** Packages the SDK's sources import (type-only imports included), by package name. */
function importedPackages(): Set<string> {
  const src = join(SDK, "src");
  const names = new Set<string>();
  for (const file of readdirSync(src).filter((f) => f.endsWith(".ts") && !f.endsWith(".spec.ts"))) {
    for (const [, specifier] of readFileSync(join(src, file), "utf8").matchAll(/from "([^"]+)"/g)) {
      if (specifier === undefined || specifier.startsWith(".") || specifier.startsWith("node:")) continue;
      const parts = specifier.split("/");
      names.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier));
    }
  }
  return names;
}

/** Every package installing `name` brings in, through the workspace's manifests. */
function dependencyClosure(name: string): Set<string> {
  const workspace = new Map<string, string>();
  for (const group of ["packages", "services"]) {
    for (const dir of readdirSync(join(ROOT, group))) {
      try {
        const { name: pkg } = JSON.parse(readFileSync(join(ROOT, group, dir, "package.json"), "utf8")) as { name: string };
        workspace.set(pkg, join(ROOT, group, dir));
      } catch {
        // not a package
      }
    }
  }
  const seen = new Set<string>();
  const visit = (pkg: string): void => {
    if (seen.has(pkg)) return;
    seen.add(pkg);
    const dir = workspace.get(pkg);
    if (dir !== undefined) for (const dep of Object.keys(manifest(dir).dependencies ?? {})) visit(dep);
  };
  visit(name);
  return seen;
}

describe("the SDK's dependencies", () => {
  beforeAll(() => {
    // The check reads the built package: build it (incremental, quick when up to date).
    const build = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-b", SDK], { cwd: ROOT, encoding: "utf8" });
    if (build.status !== 0) throw new Error(`tsc -b packages/sdk failed: ${build.stdout}${build.stderr}`);
  }, 180_000);

  it("@flowzone/sdk loads neither OpenTelemetry, reflection, health nor the engine", () => {
    const loaded = modulesLoadedBy("@flowzone/sdk");
    expect(loaded.some((file) => file.endsWith("/packages/sdk/dist/index.js"))).toBe(true);
    expect(loaded.some((file) => file.includes("/node_modules/@grpc/grpc-js/"))).toBe(true);
    const unwanted = NOT_FOR_REMOTE.flatMap(([what, pattern]) => loaded.filter((file) => pattern.test(file)).map((file) => `${what}: ${file}`));
    expect(unwanted).toEqual([]);
  });

  it("@flowzone/sdk/embedded loads the engine and the policy runtime, and still no OpenTelemetry or reflection", () => {
    const loaded = modulesLoadedBy("@flowzone/sdk/embedded");
    expect(loaded.some((file) => file.endsWith("/packages/sdk/dist/embedded.js"))).toBe(true);
    expect(loaded.some((file) => file.includes("/packages/engine/dist/"))).toBe(true);
    expect(loaded.some((file) => file.includes("/packages/policy-runtime/dist/"))).toBe(true);
    const unwanted = loaded.filter((file) => /\/node_modules\/(@opentelemetry\/(sdk-metrics|exporter-prometheus)|@grpc\/reflection|grpc-health-check)\//.test(file));
    expect(unwanted).toEqual([]);
  });

  it("lists exactly the packages its sources import", () => {
    expect(Object.keys(manifest(SDK).dependencies ?? {}).sort()).toEqual([...importedPackages()].sort());
  });

  it("brings in no OpenTelemetry SDK, Prometheus exporter, reflection or health when installed", () => {
    const closure = dependencyClosure("@flowzone/sdk");
    const heavy = ["@opentelemetry/sdk-metrics", "@opentelemetry/exporter-prometheus", "@grpc/reflection", "grpc-health-check", "@grpc/proto-loader", "@flowzone/telemetry", "@flowzone/grpc-kit"];
    expect(heavy.filter((pkg) => closure.has(pkg))).toEqual([]);
  });
});
