/**
 * The load of the cluster mode in its own process, so that its pacing timers and answer decoding
 * do not delay the benchmark's probes: {@link startLoad} on the replicas' addresses, then on stdin's
 * close one {"benchLoad": LoadSummary} line, and exit (1, with the error on stderr, if a call failed
 * or a decision differed).
 *
 * Usage: node load-child.js '<LoadChildConfig as JSON>'
 */
import type { LoadChildConfig, LoadLine } from "./child-protocol";
import { startLoad } from "./load";

async function main(): Promise<void> {
  const text = process.argv[2];
  if (text === undefined) throw new Error("usage: load-child '<config json>'");
  const config = JSON.parse(text) as LoadChildConfig;
  const load = await startLoad(config.addresses, config.ratePerReplica);
  process.stdout.write(`${JSON.stringify({ benchLoadReady: true })}\n`);
  process.stdin.resume();
  await new Promise<void>((resolve) => process.stdin.once("end", resolve));
  const line: LoadLine = { benchLoad: await load.stop() };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
