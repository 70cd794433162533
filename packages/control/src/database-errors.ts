import { ControlError } from "./control-error";

/**
 * Node socket errors that mean the database cannot be reached right now (refused, reset, timed
 * out, unresolvable): an outage, not a bug.
 */
const NODE_OUTAGE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

/**
 * SQLSTATEs of a server that is going away, starting, overloaded or that cancelled a statement at
 * `statement_timeout`: class 08 (connection exception) is matched by prefix.
 */
const SQLSTATE_OUTAGE = new Set([
  "57P01", // admin_shutdown (a restart or a fast stop)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, recovering)
  "53300", // too_many_connections
  "57014", // query_canceled (statement_timeout)
]);

/** Messages `pg` gives, without a code, for a connection that broke or never came. */
const PG_OUTAGE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout|not queryable/i;

/**
 * Whether `error` (from `pg` or Node) says the database is unavailable rather than that a
 * statement is wrong. The one place PostgreSQL and socket errors are told apart.
 */
export function isDatabaseOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (NODE_OUTAGE_CODES.has(code) || SQLSTATE_OUTAGE.has(code) || code.startsWith("08"))) return true;
  if (error instanceof AggregateError) return error.errors.some(isDatabaseOutage);
  return PG_OUTAGE_MESSAGE.test(error.message);
}

/**
 * `error` as the control plane reports it: an outage becomes {@link ControlError} `unavailable`
 * (HTTP 503, gRPC UNAVAILABLE) with the driver's error as its cause, kept off the wire (it names
 * hosts and ports); anything else is returned as is.
 */
export function asDatabaseError(error: unknown, during: string): unknown {
  if (error instanceof ControlError || !isDatabaseOutage(error)) return error;
  return new ControlError("unavailable", `the database is unavailable (${during} failed); try again shortly`, {}, { cause: error });
}
