import * as grpc from "@grpc/grpc-js";
import { readBundleDir, watchBundleDir } from "@flowzone/bundle-source";
import { addReflection, createHealth, listen, serviceDefinition, shutdownGracefully } from "@flowzone/grpc-kit";
import { compilePolicy } from "./compile-policy";
import { decisionService, decisionServiceFile } from "./convert";
import { DECISION_CODECS } from "./wire-codec";
import { DecisionIds } from "./decision-ids";
import { decisionHandlers } from "./handlers";
import type { DecisionServiceOptions, RunningDecisionService } from "./options";
import { PolicyLoadError } from "./policy-load-error";
import type { PolicyRef } from "./policy-ref";
import { applyBundle } from "./policy-reloader";
import { validateOptions } from "./validate-options";

/** Grace for in-flight calls when `close()` is given none. */
const DEFAULT_CLOSE_GRACE_MS = 10_000;

/**
 * Starts the decision service: loads the bundle (refusing to start on any error, all of them
 * listed as `file:line: message`), serves DecisionService, health and reflection, and hot-reloads
 * the bundle when its files change. Resolves once the server is bound and SERVING.
 *
 * @throws ConfigError for impossible options, BundleDirError for an unreadable policy directory,
 *   PolicyLoadError for a broken bundle, and an Error naming the address when it cannot bind.
 */
export async function startDecisionService(options: DecisionServiceOptions): Promise<RunningDecisionService> {
  validateOptions(options);
  const { policyDir, limits } = options;
  const logger = options.logger.child({ component: "pdp" });
  const reloadLogger = options.logger.child({ component: "pdp-reload" });

  const files = await readBundleDir(policyDir);
  const loaded = compilePolicy(files);
  if (!loaded.ok) throw new PolicyLoadError(policyDir, loaded.errors);
  const policy: PolicyRef = { current: loaded.engine };

  const server = new grpc.Server({
    "grpc.max_receive_message_length": limits.maxMessageBytes,
    "grpc.max_send_message_length": limits.maxMessageBytes,
  });
  server.addService(serviceDefinition(decisionService, DECISION_CODECS), decisionHandlers({ policy, ids: new DecisionIds(), limits, logger }));
  const health = createHealth([decisionService.typeName]);
  health.addToServer(server);
  addReflection(server, [decisionServiceFile]);

  let port: number;
  try {
    port = await listen(server, options.host, options.port);
  } catch (error) {
    server.forceShutdown();
    throw error;
  }
  health.setServing(true);

  const watcher = watchBundleDir(policyDir, {
    intervalMs: options.reloadIntervalMs,
    initial: files,
    onChange: (changed) => {
      applyBundle(changed, policy, reloadLogger);
    },
    onError: (error) => {
      reloadLogger.warn({ err: error, policyDir }, "cannot read the policy directory; the previous version keeps serving");
    },
  });

  logger.info({ host: options.host, port, policyDir, policyVersion: policy.current.version }, "decision service listening");

  let closing: Promise<void> | undefined;
  return {
    port,
    policyVersion: () => policy.current.version,
    reload: async () => {
      applyBundle(await readBundleDir(policyDir), policy, reloadLogger);
    },
    close: (graceMs = DEFAULT_CLOSE_GRACE_MS) => {
      closing ??= (async () => {
        watcher.close();
        const forced = await shutdownGracefully(server, { graceMs, health });
        logger.info({ forced }, "decision service stopped");
      })();
      return closing;
    },
  };
}
