/**
 * What differs between bench:propagation on the single broker and its cluster mode: the section
 * of docs/benchmarks.md it writes, its heading and the goal it is held to. The measurement is the
 * same; only the Kafka under it, the load on the replicas and the bar change.
 */
import type { Options } from "./settings";

export interface RunMode {
  /** Section name in docs/benchmarks.md. */
  readonly section: string;
  readonly heading: string;
  /** Where the goal comes from and what it asks. */
  readonly issue: string;
  /** The goal row's wording. */
  readonly goal: string;
  readonly goalP99Ms: number;
}

/** Issue 4, item 5, on one broker without load. */
const SINGLE_GOAL_P99_MS = 500;
/** Issue 11, item 6: on the three-broker cluster, while the replicas serve load. */
const CLUSTER_GOAL_P99_MS = 50;

export function runMode(opts: Options): RunMode {
  const all = `API acknowledgement → all ${opts.replicas} decision-service replicas`;
  if (!opts.cluster) {
    return {
      section: "propagation",
      heading: "## Flip propagation (`npm run bench:propagation`)",
      issue: `Issue 4, item 5: API acknowledgement to every decision-service replica deciding under the new mode, three replicas, goal p99 ≤ ${SINGLE_GOAL_P99_MS} ms.`,
      goal: `flip propagation p99, ${all}`,
      goalP99Ms: SINGLE_GOAL_P99_MS,
    };
  }
  return {
    section: "propagation-cluster",
    heading: "## Flip propagation on the cluster under load (`npm run bench:propagation -- --cluster`)",
    issue:
      "Issue 11, item 6: on a three-broker cluster, from the API's acknowledgement to all three decision-service replicas, " +
      `while they serve load, goal p99 ≤ ${CLUSTER_GOAL_P99_MS} ms.`,
    goal: `flip propagation p99 on the cluster under load, ${all}`,
    goalP99Ms: CLUSTER_GOAL_P99_MS,
  };
}
