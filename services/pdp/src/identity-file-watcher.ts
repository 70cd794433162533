import { unwatchFile, watchFile, type Stats } from "node:fs";

import type { Logger } from "@flowzone/logging";

import type { IdentityConfig } from "./identity-config";
import { readIdentityFile } from "./identity-file";

/** How often the identities file is looked at (stat) for a change, as the TLS files are. */
export const IDENTITIES_POLL_INTERVAL_MS = 1_000;

/**
 * Re-reads the identities file when it changes, so a token is revoked or a grant changed without
 * a restart. The file is polled by path (`fs.watchFile`), so a file replaced by rename is seen too.
 *
 * A change is taken only when the whole file parses and `take` accepts it (it throws for a file
 * that could never apply); otherwise the rules in force stay, and a warning names each problem
 * as `file:line`, once per distinct set of problems (a file being edited is polled every interval
 * until it is whole). Every change taken is logged.
 */
export class IdentityFileWatcher {
  private lastProblem: string | undefined;
  private closed = false;

  constructor(
    readonly file: string,
    private readonly take: (config: IdentityConfig) => void,
    private readonly logger: Logger,
    pollIntervalMs: number = IDENTITIES_POLL_INTERVAL_MS,
  ) {
    watchFile(file, { interval: pollIntervalMs, persistent: false }, this.onFileChange);
  }

  /** Stops watching the file. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    unwatchFile(this.file, this.onFileChange);
  }

  /** Reads the file again now, as a change does. */
  reload(): void {
    if (this.closed) return;
    let config: IdentityConfig;
    try {
      config = readIdentityFile(this.file);
      this.take(config);
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      if (problem !== this.lastProblem) {
        this.logger.warn({ file: this.file, problem }, "the identities file changed but is not usable; the identities read before stay in force");
      }
      this.lastProblem = problem;
      return;
    }
    this.lastProblem = undefined;
    this.logger.info(
      { file: this.file, tokens: config.tokens.length, certificateMappings: config.certificates.length, trustDomains: config.trustDomains ?? "any", speaksFor: Object.fromEntries(config.speaksFor) },
      "identities file reloaded",
    );
  }

  private readonly onFileChange = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size && current.ino === previous.ino) return;
    this.reload();
  };
}
