/** Defaults of the control service, in one place (docs/reference/configuration.md). */
export const DEFAULTS = {
  host: "127.0.0.1",
  httpPort: 8080,
  grpcPort: 50052,
  /**
   * Largest request body (HTTP) or message (gRPC). A policy bundle is the biggest thing anyone
   * sends; 5 MiB holds thousands of zones while keeping a careless or hostile client from
   * making the service buffer without bound.
   */
  maxBodyBytes: 5 * 1024 * 1024,
  /** Grace for in-flight requests when `close()` is given none. */
  closeGraceMs: 10_000,
} as const;
