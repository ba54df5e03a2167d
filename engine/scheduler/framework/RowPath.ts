import type { PodInfo } from "./PodInfo";

/**
 * Filter and Score of some plugins as plain functions of a node's NodeTable row, so a cycle that
 * needs nothing more runs them in one tight loop: no call per plugin and node, no status objects,
 * nothing allocated per node. It is only ever a shortcut to the plugins' own verdicts:
 *
 * - `fits` may say a node fits only when every covered Filter would return success for it; when
 *   it says no, the framework runs the plugins' Filters on that node, so statuses (and their
 *   wording) always come from the plugins themselves.
 * - `score` must equal the weighted sum of the covered Score plugins exactly.
 *
 * The framework takes the row path for Filter only when the cycle's Filters (those whose
 * PreFilter did not skip) are all covered, and for Score only when the cycle's scorers (those
 * whose PreScore did not skip) are exactly the covered ones; otherwise the general path runs.
 * `Framework.test.ts` checks both paths agree on randomized clusters.
 */
export interface RowPath {
  /** The Filter plugins `fits` stands for. */
  readonly filterPlugins: ReadonlySet<string>;
  /** The Score plugins `score` stands for (weighted). */
  readonly scorePlugins: ReadonlySet<string>;
  /** Takes the pod's numbers for the next calls; false when rows cannot express the pod (the general path runs). */
  prepare(pod: PodInfo): boolean;
  /** True only if every covered Filter passes the node whose row this is. */
  fits(data: Float64Array, base: number): boolean;
  /** The weighted sum of the covered Scores for the node whose row this is. */
  score(data: Float64Array, base: number): number;
}

/** Builds a profile's row path given its score weights. */
export type RowPathFactory = (weight: (plugin: string) => number) => RowPath;
