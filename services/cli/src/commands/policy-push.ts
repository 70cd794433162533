import { BundleDirError, readBundleDir } from "@flowzone/bundle-source";
import { parseBundle } from "@flowzone/engine";
import { ControlClient } from "../control-client";
import { describeError } from "../describe-error";
import { helpText } from "../help-texts";
import { ExitCode } from "../io";
import type { CliIo } from "../io";
import { writeJson } from "../json-output";
import { formatError, inDir } from "../load-bundle";
import { booleanFlag, parseFlags } from "../parse-flags";
import { bundleDirArg } from "./bundle-dir-arg";

const COMMAND = "policy push";

/**
 * `flowzone policy push DIR [--json]`: validates the bundle locally first (fast `file:line`
 * feedback, no token needed to find a typo), then `PUT /v1/policy`, where the control plane
 * validates it again and publishes it. Exit 0 published, 1 invalid or refused.
 */
export async function policyPush(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const flags = parseFlags(args, { json: { type: "boolean" } }, COMMAND);
  if (flags.help) {
    io.stdout.write(helpText(COMMAND) ?? "");
    return ExitCode.ok;
  }
  const dir = bundleDirArg(flags, COMMAND);
  const json = booleanFlag(flags, "json");
  const client = ControlClient.fromEnv(io.env, COMMAND);

  let files;
  try {
    files = await readBundleDir(dir);
  } catch (error) {
    io.stderr.write(`flowzone: ${error instanceof BundleDirError ? error.message : `cannot read policy directory "${dir}": ${describeError(error)}`}\n`);
    return ExitCode.failure;
  }
  const parsed = parseBundle(files);
  if (!parsed.ok) {
    const errors = parsed.errors.map((e) => formatError({ ...e, file: inDir(dir, e.file) }));
    const message = `${dir}: invalid policy bundle (${errors.length} ${errors.length === 1 ? "error" : "errors"}); nothing was pushed`;
    if (json) writeJson(io.stdout, { error: { code: "invalid_policy", message, errors } });
    for (const error of errors) io.stderr.write(`${error}\n`);
    io.stderr.write(`flowzone: ${message}\n`);
    return ExitCode.failure;
  }

  const body = (await client.request("PUT", "/v1/policy", { files: Object.fromEntries(files.map((f) => [f.path, f.content])) })) as { version: string };
  if (json) writeJson(io.stdout, body);
  else io.stdout.write(`${dir}: pushed to ${client.baseUrl}\n  version  ${body.version}\n`);
  return ExitCode.ok;
}
