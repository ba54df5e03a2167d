"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { listenToLiveResult } from "./liveResults";

/** What the lesson page hands an exercise (all text; instructions already rendered to HTML). */
export interface ExerciseView {
  id: string;
  title: string;
  instructionsHtml: string;
  checks: { id: string; description: string }[];
  hints: string[];
  solution: string;
  solutionAfterAttempts: number;
}

interface CheckResult {
  id: string;
  description: string;
  status: "pass" | "fail" | "error";
  points: number;
  maxPoints: number;
  message: string;
}

interface ExerciseResult {
  status: "pass" | "fail" | "error";
  score: number;
  maxScore: number;
  checks: CheckResult[];
  message?: string;
}

/**
 * One exercise on the lesson page: its live checklist (re-graded by the server whenever the
 * learner's cluster changes, over the page's one Server-Sent Events stream), a Check button that
 * forces a run, hints one at a time, and the solution once the learner has tried.
 */
export function Exercise({
  lessonId,
  exercise,
  initiallyPassed,
  initialAttempts,
}: {
  lessonId: string;
  exercise: ExerciseView;
  initiallyPassed: boolean;
  initialAttempts: number;
}) {
  const [live, setLive] = useState<ExerciseResult | undefined>();
  const [checked, setChecked] = useState<ExerciseResult | undefined>();
  const [checking, setChecking] = useState(false);
  const [hintsShown, setHintsShown] = useState(0);
  const [attempts, setAttempts] = useState(initialAttempts);
  const [passed, setPassed] = useState(initiallyPassed);
  const [showSolution, setShowSolution] = useState(false);
  const base = `/api/lessons/${encodeURIComponent(lessonId)}/exercises/${encodeURIComponent(exercise.id)}`;
  const statusRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    // The page's one live stream carries every exercise's results (liveResults.ts).
    return listenToLiveResult(lessonId, exercise.id, (result) => {
      setLive(result);
      if (result.status === "pass") setPassed(true);
    });
  }, [lessonId, exercise.id]);

  const check = useCallback(async () => {
    setChecking(true);
    try {
      const response = await fetch(`${base}/check`, { method: "POST" });
      const result = (await response.json()) as ExerciseResult & { error?: string };
      const shown: ExerciseResult = result.checks
        ? result
        : { status: "error", score: 0, maxScore: 0, checks: [], message: result.error };
      setChecked(shown);
      setLive(shown.checks.length ? shown : live);
      if (shown.status === "pass") setPassed(true);
      else if (shown.status === "fail") setAttempts((count) => count + 1);
    } catch {
      setChecked({ status: "error", score: 0, maxScore: 0, checks: [], message: "cannot reach the cluster" });
    } finally {
      setChecking(false);
      statusRef.current?.focus();
    }
  }, [base, live]);

  const current = live ?? checked;
  const byId = new Map(current?.checks.map((item) => [item.id, item]) ?? []);
  const canSeeSolution = passed || attempts >= exercise.solutionAfterAttempts;

  return (
    <section
      className="exercise"
      data-testid="exercise"
      data-exercise={exercise.id}
      aria-labelledby={`exercise-${exercise.id}`}
    >
      <h3 id={`exercise-${exercise.id}`}>
        Exercise: {exercise.title} {passed && <span className="badge">done</span>}
      </h3>
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: rendered by markdown-it with raw HTML disabled. */}
      <div className="exercise-instructions" dangerouslySetInnerHTML={{ __html: exercise.instructionsHtml }} />
      <ul className="checklist" data-testid="checklist" aria-live="polite">
        {exercise.checks.map((item) => {
          const result = byId.get(item.id);
          const status = result?.status ?? "pending";
          return (
            <li key={item.id} data-testid="checklist-item" data-status={status} className={`check-${status}`}>
              <span aria-hidden="true">
                {status === "pass" ? "✔" : status === "fail" ? "✘" : status === "error" ? "!" : "○"}
              </span>{" "}
              <span className="check-description">{item.description}</span>
              {result && result.status !== "pass" && <p className="check-message">{result.message}</p>}
            </li>
          );
        })}
      </ul>
      <div className="exercise-actions">
        <button type="button" data-testid="check" onClick={check} disabled={checking}>
          {checking ? "Checking…" : "Check"}
        </button>
        <button
          type="button"
          data-testid="hint"
          onClick={() => setHintsShown((count) => Math.min(count + 1, exercise.hints.length))}
          disabled={hintsShown >= exercise.hints.length}
        >
          {exercise.hints.length === 0
            ? "No hints"
            : hintsShown >= exercise.hints.length
              ? "No more hints"
              : `Show hint ${hintsShown + 1} of ${exercise.hints.length}`}
        </button>
        {canSeeSolution && (
          <button
            type="button"
            data-testid="show-solution"
            onClick={() => setShowSolution((shown) => !shown)}
            aria-expanded={showSolution}
          >
            {showSolution ? "Hide solution" : "Show solution"}
          </button>
        )}
      </div>
      {checked && (
        <div
          ref={statusRef}
          tabIndex={-1}
          role="status"
          className={`check-result check-result-${checked.status}`}
          data-testid="check-result"
          data-status={checked.status}
        >
          {checked.status === "pass"
            ? `All checks pass: ${checked.score}/${checked.maxScore} points.`
            : checked.status === "error"
              ? (checked.message ??
                checked.checks.find((item) => item.status === "error")?.message ??
                "a check could not run")
              : `${checked.score}/${checked.maxScore} points. ${checked.checks.find((item) => item.status !== "pass")?.message ?? ""}`}
        </div>
      )}
      {hintsShown > 0 && (
        <ol className="hints" data-testid="hints">
          {exercise.hints.slice(0, hintsShown).map((hint) => (
            <li key={hint} data-testid="hint-text">
              {hint}
            </li>
          ))}
        </ol>
      )}
      {showSolution && (
        <pre className="solution" data-testid="solution">
          <code>{exercise.solution}</code>
        </pre>
      )}
    </section>
  );
}
