import type { PolicyEngine } from "@flowzone/engine";

/**
 * The one reference to the engine in force. A change replaces `current` in a single assignment;
 * a request (or a batch) reads it once and is decided entirely by that engine, so it never mixes
 * two policy versions.
 */
export interface PolicyHolder {
  current: PolicyEngine;
}
