/**
 * The decision service in its own process for bench:sdk, as `flowzone pdp` runs it (no Kafka:
 * the benchmark's writes are clean allows, which the service does not audit). Prints
 * {"benchPort": N} once serving; exits when its stdin closes.
 *
 * Usage: node pdp-child.js <policy-dir>
 */
import { createLogger } from "@flowzone/logging";
import { decisionServiceConfig, startDecisionService } from "@flowzone/pdp";

async function main(): Promise<void> {
  const policyDir = process.argv[2];
  if (policyDir === undefined) throw new Error("usage: pdp-child <policy-dir>");
  const config = decisionServiceConfig({ env: {}, flags: { policy: policyDir, host: "127.0.0.1", port: "0" } });
  // No /metrics listener: its fixed port would collide with a flowzone running beside the benchmark.
  const service = await startDecisionService({ ...config, metricsPort: undefined, logger: createLogger({ level: "warn", service: "flowzone-bench-sdk" }) });
  process.stdout.write(JSON.stringify({ benchPort: service.port }) + "\n");
  process.stdin.resume();
  process.stdin.on("end", () => {
    void service.close(0).finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
