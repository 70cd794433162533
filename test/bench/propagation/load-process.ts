/** The benchmark's side of the load child (load-child.ts): start it, and stop it for its summary. */
import { join } from "node:path";
import { createInterface } from "node:readline";

import { endChild, startChild } from "../common/children";
import type { LoadChildConfig, LoadLine } from "./child-protocol";
import type { LoadSummary, RunningLoad } from "./load";

/** Resolves once the load child sends to every replica; `stop()` closes its stdin and returns what it served. */
export async function startLoadProcess(config: LoadChildConfig): Promise<RunningLoad> {
  const { child } = await startChild("load", process.execPath, [join(__dirname, "load-child.js"), JSON.stringify(config)], (line) => (line.startsWith('{"benchLoadReady"') ? true : undefined), 30_000);
  let summary: LoadSummary | undefined;
  const stdout = child.process.stdout;
  if (stdout !== null) {
    createInterface({ input: stdout }).on("line", (line) => {
      if (line.startsWith('{"benchLoad"')) summary = (JSON.parse(line) as LoadLine).benchLoad;
    });
  }
  return {
    async stop() {
      await endChild(child, 10_000);
      if (summary === undefined) throw new Error(`the load child ended without its summary (exit ${child.process.exitCode ?? child.process.signalCode ?? "?"})\n${child.log.join("\n")}`);
      return summary;
    },
  };
}
