import type { Actor } from "@flowzone/control";
import { signatureId } from "@flowzone/control";
import { redriveQuarantine, RedriveError, type RedriveFilter, type RedriveOptions, type RedriveSummary, type Route } from "@flowzone/enforcer";
import type { PolicyEngine } from "@flowzone/engine";
import { FlowzoneError } from "@flowzone/errors";
import type { Logger } from "@flowzone/logging";

/** What `POST /v1/routes/{route}/redrive` asks for: at most one of the two. */
export interface RedriveRequest {
  /** Only records quarantined for a violation of this backlog signature id. */
  readonly violation?: string | undefined;
  /** Only records quarantined at or after this time. */
  readonly since?: Date | undefined;
}

/** Re-drives the quarantined records of the enforcer's routes, as the control plane knows them. */
export interface QuarantineRedrive {
  /**
   * @throws FlowzoneError `not_found` for a route the routes file does not name,
   *   `failed_precondition` for an observe-only route or a re-drive taken over by a newer one,
   *   `unavailable` when Kafka failed part way (what was committed stays forwarded)
   */
  redrive(route: string, request: RedriveRequest, actor: Actor): Promise<RedriveSummary>;
}

/** Options of {@link quarantineRedrive}. */
export interface QuarantineRedriveOptions {
  readonly kafka: RedriveOptions["kafka"];
  /** The enforcer's routes (its FLOWZONE_ROUTES file, parsed by the enforcer's own parser). */
  readonly routes: readonly Route[];
  /** The file they came from, for the errors. */
  readonly routesFile: string;
  /** The policy in force when a re-drive starts. */
  readonly policyInForce: () => Promise<PolicyEngine>;
  readonly logger: Logger;
  /** Default `flowzone.audit.v1`. */
  readonly auditTopic?: string | undefined;
  /** The audit topic's `retention.ms` if this process creates it; default -1, kept forever (`FLOWZONE_AUDIT_RETENTION_MS`). */
  readonly auditRetentionMs?: number | undefined;
  /** Default `flowzone.redrive.v1`. */
  readonly ledgerTopic?: string | undefined;
}

/**
 * The control plane's re-drive: looks the route up, takes the policy in force, and runs the
 * enforcer's {@link redriveQuarantine} with the control plane's Kafka client and the asker as
 * actor. `violation` selects records by the backlog's signature of their violations, keyed as the
 * backlog keys the enforcer's audit records (the route's producer and sink).
 */
export function quarantineRedrive(options: QuarantineRedriveOptions): QuarantineRedrive {
  const routes = new Map(options.routes.map((route) => [route.name, route]));
  return {
    async redrive(name, request, actor) {
      const route = routes.get(name);
      if (route === undefined) {
        throw new FlowzoneError("not_found", `no route is named "${name}" in the routes file ${options.routesFile}; its routes are ${[...routes.keys()].join(", ")}`);
      }
      const engine = await options.policyInForce();
      const filter: RedriveFilter | undefined = request.violation === undefined ? undefined : (violations) => violations.some((v) => signatureId(v) === request.violation);
      try {
        return await redriveQuarantine({
          kafka: options.kafka,
          route,
          engine,
          actor: actor.subject,
          logger: options.logger,
          auditTopic: options.auditTopic,
          auditRetentionMs: options.auditRetentionMs,
          ledgerTopic: options.ledgerTopic,
          sinceMs: request.since?.getTime(),
          filter,
        });
      } catch (error) {
        if (error instanceof RedriveError) throw new FlowzoneError("failed_precondition", error.message, {}, { cause: error });
        const cause = error instanceof Error ? error.message : String(error);
        throw new FlowzoneError("unavailable", `re-driving route "${name}" failed: ${cause}; what was committed stays forwarded, and running the re-drive again forwards the rest`, {}, { cause: error });
      }
    },
  };
}
