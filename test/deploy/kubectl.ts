/**
 * `kubectl kustomize` for the tests of deploy/kubernetes. kubectl comes from Debian's package
 * (kubernetes-client, whose kustomize is v2: the manifests are written for it and for newer ones);
 * when no kubectl is on the PATH it is installed with apt-get, as CI runs as root.
 */
import { spawnSync } from "node:child_process";

function run(command: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { status: result.error === undefined ? result.status : null, stdout: result.stdout, stderr: result.error?.message ?? result.stderr };
}

let installed = false;

function ensureKubectl(): void {
  if (installed || run("kubectl", ["version", "--client"]).status === 0) {
    installed = true;
    return;
  }
  const update = run("apt-get", ["update"]);
  const install = update.status === 0 ? run("apt-get", ["install", "-y", "kubernetes-client"]) : update;
  if (install.status !== 0 || run("kubectl", ["version", "--client"]).status !== 0) {
    throw new Error(`kubectl is missing and could not be installed with \`apt-get install -y kubernetes-client\` (needs root and Debian's apt repositories):\n${install.stderr}`);
  }
  installed = true;
}

/** The objects `kubectl kustomize DIR` renders, as YAML text. */
export function kustomize(dir: string): string {
  ensureKubectl();
  const result = run("kubectl", ["kustomize", dir]);
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${result.stderr}`);
  return result.stdout;
}
