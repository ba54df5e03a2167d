"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { AssessmentState } from "../../../grader/web/assessment";

function clock(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
}

/**
 * A timed lesson's countdown (the deadline is kept on the server from the learner's first open)
 * and, when the time is up or the learner finishes, the final score with a line per task.
 */
export function AssessmentTimer({ lessonId, initial }: { lessonId: string; initial: AssessmentState }) {
  const [state, setState] = useState(initial);
  // The server said how much time was left when it rendered; count from there with this clock.
  const deadline = useRef(Date.now() + initial.remainingMs);
  const [remaining, setRemaining] = useState(initial.remainingMs);
  const [problem, setProblem] = useState("");
  const url = `/api/lessons/${encodeURIComponent(lessonId)}/assessment`;
  const resultRef = useRef<HTMLDivElement>(null);

  const load = useCallback(
    async (method: "GET" | "POST") => {
      try {
        const response = await fetch(url, { method });
        const body = (await response.json()) as AssessmentState & { error?: string };
        if (!response.ok) throw new Error(body.error ?? response.statusText);
        deadline.current = Date.now() + body.remainingMs;
        setRemaining(body.remainingMs);
        setState(body);
        setProblem("");
      } catch (error) {
        setProblem((error as Error).message);
      }
    },
    [url],
  );

  const ended = state.endedAt !== undefined;
  useEffect(() => {
    if (ended) return;
    const timer = window.setInterval(() => {
      const left = deadline.current - Date.now();
      setRemaining(left);
      if (left <= 0) {
        window.clearInterval(timer);
        void load("GET");
      }
    }, 1000);
    return () => window.clearInterval(timer);
  }, [ended, load]);

  useEffect(() => {
    if (ended) resultRef.current?.focus();
  }, [ended]);

  async function finish() {
    if (!window.confirm("Finish the assessment now? Your score is final and further checks no longer count.")) return;
    await load("POST");
  }

  if (state.result) {
    const { score, maxScore, tasks } = state.result;
    return (
      <section
        className="assessment assessment-ended"
        data-testid="assessment-result"
        aria-labelledby="assessment-result-title"
        tabIndex={-1}
        ref={resultRef}
      >
        <h2 id="assessment-result-title">
          Your score: <span data-testid="assessment-score">{`${score}/${maxScore}`}</span>
        </h2>
        <p>
          {state.endedAt && state.endedAt >= state.endsAt
            ? `The ${state.timeLimitMinutes}-minute time limit is up.`
            : "You finished the assessment."}{" "}
          Checks no longer count; you can still practise in your cluster.
        </p>
        <table className="assessment-tasks">
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">Points</th>
            </tr>
          </thead>
          <tbody>
            {tasks.map((task) => (
              <tr key={task.id} data-testid="assessment-task" data-status={task.passed ? "pass" : "fail"}>
                <th scope="row">
                  <span aria-hidden="true">{task.passed ? "✔" : "✘"}</span> {task.title}
                </th>
                <td>{`${task.score}/${task.maxScore}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    );
  }

  const low = remaining < 5 * 60_000;
  return (
    <section className="assessment" aria-label="Assessment timer">
      <p>
        Timed assessment: {state.timeLimitMinutes} minutes from when you first opened it.{" "}
        <span
          className={low ? "assessment-clock assessment-clock-low" : "assessment-clock"}
          data-testid="assessment-timer"
          role="timer"
          aria-live={low ? "polite" : "off"}
        >
          {clock(remaining)} left
        </span>
      </p>
      <button type="button" onClick={finish} data-testid="finish-assessment">
        Finish and see my score
      </button>
      {problem ? <span role="alert">{problem}</span> : null}
    </section>
  );
}
