import { ControlClient } from "../control-client";
import { helpText } from "../help-texts";
import { ExitCode } from "../io";
import type { CliIo } from "../io";
import { writeJson } from "../json-output";
import { booleanFlag, parseFlags } from "../parse-flags";
import { bundleDirArg } from "./bundle-dir-arg";
import { bundleToSend } from "./bundle-to-send";

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

  const files = await bundleToSend(dir, io, json, "nothing was pushed");
  if (files === undefined) return ExitCode.failure;

  const body = (await client.request("PUT", "/v1/policy", { files })) as { version: string };
  if (json) writeJson(io.stdout, body);
  else io.stdout.write(`${dir}: pushed to ${client.baseUrl}\n  version  ${body.version}\n`);
  return ExitCode.ok;
}
