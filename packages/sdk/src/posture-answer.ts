import type { FailMode, Write } from "@flowzone/engine";

/** The fail posture of writes flowzone could not check, as far as the zones' own settings tell. */
export interface PostureAnswer {
  /**
   * `closed` when a write touches a zone (or rule) that fails closed, `open` when every write is
   * placed and none does, undefined when the zones' posture is not known for some write (the
   * producer's `failMode` option then applies).
   */
  readonly posture: FailMode | undefined;
  /** Why, in a few words, for the error or warning that follows: where the posture came from. */
  readonly reason: string;
}

/**
 * Each zone's fail posture as the remote producer learns it from the control topic, consulted
 * only for writes the decision service did not answer for.
 */
export interface ZonePosture {
  postureOf(writes: readonly Write[]): PostureAnswer;
  close(): Promise<void>;
}
