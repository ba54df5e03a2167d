import type { ExerciseResult } from "../checks/index";
import type { Exercise } from "../format/schema";
import type { GradingCluster } from "../run/GradingCluster";
import { type Changed, kindKey, type WatchedKind, watchedKinds, watchForChanges } from "./liveChecks";

/** What `liveLesson` needs: the lesson's exercises, the learner's cluster, how to grade and where results go. */
export interface LiveLessonOptions {
  exercises: readonly Exercise[];
  /** The grading client of the moment (Reset cluster may replace it; asked again when the watches restart). */
  client: () => Promise<GradingCluster>;
  /** Grades one exercise on the cluster as it is now. */
  grade: (exercise: Exercise, cluster: GradingCluster) => Promise<ExerciseResult>;
  /** Receives each exercise's result when it differs from the last one sent for that exercise. */
  onResult: (result: ExerciseResult) => void | Promise<void>;
  /** Passed to watchForChanges (tests shorten the pauses). */
  watch?: { retryMinMs?: number; retryMaxMs?: number; coalesceMs?: number };
}

/**
 * The live checklists of one lesson page, multiplexed: every exercise is graded once, then again
 * whenever an object of a kind its checks look at changes. All exercises share one set of watches
 * on the learner's cluster (one per resource type, whatever the number of exercises), so a page
 * holds one stream however many exercises it has. An exercise is graded by one run at a time (a
 * change during a run grades it once more after it), and a result equal to the last one sent for
 * that exercise is not sent again. Returns a function that stops the watches and the results.
 */
export async function liveLesson(options: LiveLessonOptions): Promise<() => void> {
  const { exercises, grade, onResult } = options;
  let cluster = await options.client();
  const currentCluster = async () => {
    cluster = await options.client();
    return cluster;
  };
  // Which exercises look at each kind (by kindKey), and every kind once.
  const byKey = new Map<string, Exercise[]>();
  const kinds = new Map<string, WatchedKind>();
  for (const exercise of exercises) {
    for (const kind of watchedKinds(exercise)) {
      const key = kindKey(kind);
      kinds.set(key, kind);
      byKey.set(key, [...(byKey.get(key) ?? []), exercise]);
    }
  }
  // `view`: the cluster to grade on next, as of the change that called for it (set before each run).
  const states = new Map(
    exercises.map((exercise) => [exercise, { last: "", running: false, again: false, view: cluster }]),
  );
  let stopped = false;

  /** Grades `exercise` on `view` (the cluster as of the change that calls for it), or once more after the run in progress. */
  const regrade = async (exercise: Exercise, view: GradingCluster) => {
    const state = states.get(exercise);
    if (!state || stopped) return;
    state.view = view;
    if (state.running) {
      state.again = true;
      return;
    }
    state.running = true;
    try {
      do {
        state.again = false;
        let result: ExerciseResult;
        try {
          result = await grade(exercise, state.view);
        } catch {
          continue;
        }
        const text = JSON.stringify(result);
        if (stopped || text === state.last) continue;
        state.last = text;
        await Promise.resolve(onResult(result)).catch(() => undefined);
      } while (state.again && !stopped);
    } finally {
      state.running = false;
    }
  };
  const regradeChanged = (changed: Changed) => {
    const affected = new Set<Exercise>();
    if (!changed) for (const exercise of exercises) affected.add(exercise);
    else for (const key of changed) for (const exercise of byKey.get(key) ?? []) affected.add(exercise);
    // The exercises graded together share identical reads (GradingCluster.sharingReads).
    const view = cluster.sharingReads();
    for (const exercise of affected) void regrade(exercise, view);
  };

  regradeChanged(undefined);
  const stopWatches = await watchForChanges(currentCluster, [...kinds.values()], regradeChanged, options.watch);
  return () => {
    stopped = true;
    stopWatches();
  };
}
