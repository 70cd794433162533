/** Per-request limits; requests beyond them are INVALID_ARGUMENT (messages beyond size: RESOURCE_EXHAUSTED). */
export interface Limits {
  /** Largest gRPC message received or sent. */
  readonly maxMessageBytes: number;
  /** Most labels on one write. */
  readonly maxLabels: number;
  /** Most source assets on one write. */
  readonly maxSources: number;
  /** Most writes in one CheckBatch. */
  readonly maxBatch: number;
}
