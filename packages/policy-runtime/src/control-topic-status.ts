/**
 * Where a decision point stands with the control topic: `off` without Kafka, `waiting` until the
 * topic has been read to its end once (Kafka unreachable at start, retried in the background),
 * `read` from then on, also while Kafka is away again (the last state read stays in force).
 */
export type ControlTopicStatus =
  | { readonly state: "off" }
  | { readonly state: "waiting"; readonly attempts: number; readonly lastError: string | undefined }
  | { readonly state: "read" };
