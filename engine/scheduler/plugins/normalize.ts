import { maxNodeScore, type NodeScore } from "../framework/types";

/**
 * `helper.DefaultNormalizeScore`: scales scores to 0..100 by the highest one; `reverse` turns
 * "fewer is better" counts into scores. With every score 0, reverse gives everyone 100.
 */
export function defaultNormalizeScore(scores: NodeScore[], reverse: boolean) {
  let max = 0;
  for (const score of scores) if (score.score > max) max = score.score;
  if (max === 0) {
    if (reverse) for (const score of scores) score.score = maxNodeScore;
    return;
  }
  for (const score of scores) {
    let value = Math.trunc((maxNodeScore * score.score) / max);
    if (reverse) value = maxNodeScore - value;
    score.score = value;
  }
}
