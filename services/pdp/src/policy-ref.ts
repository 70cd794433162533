import type { PolicyEngine } from "@flowzone/engine";

/**
 * The one reference to the engine in force. A reload replaces `current` in a single assignment;
 * a request reads it once and is decided entirely by that engine, so it never mixes two versions.
 */
export interface PolicyRef {
  current: PolicyEngine;
}
