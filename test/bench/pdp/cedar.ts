/**
 * The in-process reference: Cedar (cedar-wasm, nodejs build) deciding the zones-20 requests with
 * `statefulIsAuthorized` against a policy set parsed once. The request objects are built before
 * timing starts; what is timed is Cedar's own call.
 */
import { setFlagsFromString } from "node:v8";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type { StatefulAuthorizationCall } from "@cedar-policy/cedar-wasm/nodejs";
import { cedarPolicy, requestCycle } from "../common/workload";

// V8 11.3 (Node 20) aborted the benchmark now and then ("unreachable code" in the deoptimizer's
// DoComputeBuiltinContinuation) when it deoptimized the decider below with Cedar's JavaScript to
// WebAssembly call inlined in it. Not inlining those calls costs nothing measurable beside
// Cedar's tens of microseconds a decision.
setFlagsFromString("--no-turbo-inline-js-wasm-calls");

export const CEDAR_PACKAGE_VERSION = "4.13.0";
const POLICY_SET_ID = "zones-20";

export function cedarVersion(): string {
  return cedar.getCedarVersion();
}

/** Returns decide(k): true when Cedar denies request k of the cycle. */
export function cedarDecider(policyText: string = cedarPolicy()): (k: number) => boolean {
  const parsed = cedar.preparsePolicySet(POLICY_SET_ID, { staticPolicies: policyText });
  if (parsed.type !== "success") throw new Error(`Cedar rejects the zones-20 policy: ${JSON.stringify(parsed.errors)}`);
  const calls: StatefulAuthorizationCall[] = requestCycle().map((r) => ({
    principal: { type: "Producer", id: r.producer },
    action: { type: "Action", id: "write" },
    resource: { type: "Sink", id: r.sink },
    context: { labels: [...r.labels], sink: r.sink },
    preparsedPolicySetId: POLICY_SET_ID,
    entities: [],
  }));
  return (k) => {
    const answer = cedar.statefulIsAuthorized(calls[k] as StatefulAuthorizationCall);
    if (answer.type !== "success") throw new Error(`Cedar failed on request ${k}: ${JSON.stringify(answer.errors)}`);
    if (answer.response.diagnostics.errors.length > 0) throw new Error(`Cedar evaluation error on request ${k}: ${JSON.stringify(answer.response.diagnostics.errors)}`);
    return answer.response.decision === "deny";
  };
}
