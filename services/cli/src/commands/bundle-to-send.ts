import { BundleDirError, readBundleDir } from "@flowzone/bundle-source";
import { parseBundle } from "@flowzone/engine";
import { describeError } from "../describe-error";
import type { CliIo } from "../io";
import { writeJson } from "../json-output";
import { formatError, inDir } from "../load-bundle";

/**
 * The files of the bundle in `dir`, validated locally before anything is sent (fast `file:line`
 * feedback, no token needed to find a typo), as `PUT /v1/policy` and `POST /v1/policy/whatif`
 * take them. Undefined when the directory cannot be read or the bundle does not load: every
 * error is then printed (and with `json`, one error object), ending with `outcome`, e.g.
 * "nothing was pushed".
 */
export async function bundleToSend(dir: string, io: CliIo, json: boolean, outcome: string): Promise<Record<string, string> | undefined> {
  let files;
  try {
    files = await readBundleDir(dir);
  } catch (error) {
    io.stderr.write(`flowzone: ${error instanceof BundleDirError ? error.message : `cannot read policy directory "${dir}": ${describeError(error)}`}\n`);
    return undefined;
  }
  const parsed = parseBundle(files);
  if (!parsed.ok) {
    const errors = parsed.errors.map((e) => formatError({ ...e, file: inDir(dir, e.file) }));
    const message = `${dir}: invalid policy bundle (${errors.length} ${errors.length === 1 ? "error" : "errors"}); ${outcome}`;
    if (json) writeJson(io.stdout, { error: { code: "invalid_policy", message, errors } });
    for (const error of errors) io.stderr.write(`${error}\n`);
    io.stderr.write(`flowzone: ${message}\n`);
    return undefined;
  }
  return Object.fromEntries(files.map((f) => [f.path, f.content]));
}
