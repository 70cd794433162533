import type { Bundle } from "@flowzone/engine";
import { helpText } from "../help-texts";
import { ExitCode } from "../io";
import type { CliIo } from "../io";
import { jsonErrors, writeJson } from "../json-output";
import { formatError, loadBundle } from "../load-bundle";
import { booleanFlag, parseFlags } from "../parse-flags";
import { bundleDirArg } from "./bundle-dir-arg";

const COMMAND = "policy check";

/**
 * `flowzone policy check DIR [--json]`: validates a bundle the way the decision service would
 * load it, so a bad change is caught before it is pushed. Exit 0 valid, 1 invalid.
 */
export async function policyCheck(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const flags = parseFlags(args, { json: { type: "boolean" } }, COMMAND);
  if (flags.help) {
    io.stdout.write(helpText(COMMAND) ?? "");
    return ExitCode.ok;
  }
  const dir = bundleDirArg(flags, COMMAND);
  const json = booleanFlag(flags, "json");
  const loaded = await loadBundle(dir);

  if (!loaded.ok) {
    if (json) {
      writeJson(io.stdout, { ok: false, dir, version: null, counts: null, zones: [], errors: jsonErrors(loaded.errors) });
    } else {
      for (const error of loaded.errors) io.stdout.write(`${formatError(error)}\n`);
      const n = loaded.errors.length;
      // An unreadable directory (one error, line 0) already says so; a bundle gets a total.
      if (loaded.errors.some((e) => e.line > 0)) {
        io.stdout.write(`\n${dir}: invalid policy bundle (${n} ${n === 1 ? "error" : "errors"})\n`);
      }
    }
    return ExitCode.failure;
  }

  const { bundle } = loaded;
  const counts = countsOf(bundle);
  if (json) {
    const zones = bundle.zones.map((z) => ({
      name: z.name,
      mode: z.mode,
      failMode: z.failMode ?? bundle.defaults.failMode,
      protects: [...z.protects],
    }));
    writeJson(io.stdout, { ok: true, dir, version: bundle.digest, counts, zones, errors: [] });
  } else {
    io.stdout.write(renderSummary(dir, bundle, counts));
  }
  return ExitCode.ok;
}

interface Counts {
  readonly labels: number;
  readonly assets: number;
  readonly zones: number;
  readonly testSuites: number;
  readonly tests: number;
}

function countsOf(bundle: Bundle): Counts {
  return {
    labels: bundle.labels.size,
    assets: bundle.assets.size,
    zones: bundle.zones.length,
    testSuites: bundle.testSuites.length,
    tests: bundle.testSuites.reduce((n, s) => n + s.tests.length, 0),
  };
}

function renderSummary(dir: string, bundle: Bundle, counts: Counts): string {
  const zones = bundle.zones.map((z) => `${z.name} (${z.mode})`).join(", ");
  const lines = [
    `${dir}: valid policy bundle`,
    `  version      ${bundle.digest}`,
    `  labels       ${counts.labels}`,
    `  assets       ${counts.assets}`,
    `  zones        ${counts.zones}${zones === "" ? "" : `: ${zones}`}`,
    `  test suites  ${counts.testSuites} (${counts.tests} ${counts.tests === 1 ? "test" : "tests"})`,
  ];
  if (!bundle.defaults.enabled) lines.push("  note: Defaults has enabled: false, so every zone is off");
  return `${lines.join("\n")}\n`;
}
