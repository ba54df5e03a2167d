import type { ResourceInfo } from "../../terminal/kubectl/Discovery";
import type { GradingCluster } from "../run/GradingCluster";

/** What one check found: passed or not, and a sentence saying what was expected and what was found. */
export interface Outcome {
  pass: boolean;
  message: string;
  expected?: string;
  found?: string;
}

/** What a check needs to run. */
export interface CheckContext {
  cluster: GradingCluster;
  /** The folder of the lesson file, for module checks. */
  lessonFolder: string;
}

/** A check ready to run: evaluated once, and re-evaluated on watch events of `watches` while waiting. */
export interface PreparedCheck {
  evaluate(): Promise<Outcome>;
  /** Kinds whose changes can change the outcome. */
  watches: ResourceInfo[];
  namespace?: string;
}

/** The result of one check, as stored and shown. */
export interface CheckResult {
  id: string;
  description: string;
  status: "pass" | "fail" | "error";
  /** Points earned (the check's weight when it passes, else 0). */
  points: number;
  /** The check's weight. */
  maxPoints: number;
  message: string;
  expected?: string;
  found?: string;
}

/** What a check read: the kinds (and namespace) whose changes can change its outcome. */
export interface Looked {
  watches: ResourceInfo[];
  namespace?: string;
}

/**
 * A check in two steps: `look` reads the cluster and says what it read, `judge` decides. What was
 * read is what a waiting check watches, recorded here once for every check.
 */
export function lookThenJudge<Seen extends Looked>(
  look: () => Promise<Seen>,
  judge: (seen: Seen) => Outcome | Promise<Outcome>,
): PreparedCheck {
  const prepared: PreparedCheck = {
    watches: [],
    async evaluate(): Promise<Outcome> {
      const seen = await look();
      prepared.watches = seen.watches;
      prepared.namespace = seen.namespace;
      return judge(seen);
    },
  };
  return prepared;
}
