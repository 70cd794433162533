/**
 * The reference decision service: the real Cerbos PDP binary, disk storage holding the zones-20
 * resource policy, gRPC and HTTP on 127.0.0.1 only, audit and telemetry off.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Child } from "../common/children";
import { startChild } from "../common/children";
import { cerbosPolicy } from "../common/workload";
import { freePort } from "../common/ports";

export const CERBOS_VERSION = "0.55.0";
export const CERBOS_CHECK_PATH = "/cerbos.svc.v1.CerbosService/CheckResources";

export function cerbosBinary(): string {
  return require.resolve("@cerbos/cerbos-linux-x64/cerbos-linux-x64");
}

export async function startCerbos(workDir: string): Promise<{ child: Child; address: string }> {
  const policyDir = join(workDir, "cerbos-policies");
  mkdirSync(policyDir, { recursive: true });
  writeFileSync(join(policyDir, "zones-20.yaml"), cerbosPolicy());
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const config = join(workDir, "cerbos.yaml");
  writeFileSync(
    config,
    [
      "server:",
      `  httpListenAddr: "127.0.0.1:${httpPort}"`,
      `  grpcListenAddr: "127.0.0.1:${grpcPort}"`,
      "storage:",
      '  driver: "disk"',
      "  disk:",
      `    directory: ${JSON.stringify(policyDir)}`,
      "    watchForChanges: false",
      "audit:",
      "  enabled: false",
      "telemetry:",
      "  disabled: true",
      "",
    ].join("\n"),
  );
  const { child } = await startChild(
    "cerbos",
    cerbosBinary(),
    ["server", `--config=${config}`, "--log-level=info"],
    (line) => (line.includes("Starting gRPC server") ? true : undefined),
    30_000,
    { ...process.env, CERBOS_NO_TELEMETRY: "1" },
  );
  return { child, address: `127.0.0.1:${grpcPort}` };
}
