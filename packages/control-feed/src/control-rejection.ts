import type { ControlRejectReason } from "@flowzone/kafka";

/** A control record a follower did not apply because its signature did not verify. */
export interface ControlRejection {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The record's key as text ("zone/crm", "bundle", ...): what the record would have changed. */
  readonly key: string;
  readonly reason: ControlRejectReason;
  /** The key id the record named (`flowzone-signing-key`), if any. */
  readonly keyId: string | undefined;
  readonly detail: string;
}
