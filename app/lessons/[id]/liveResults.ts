"use client";

/** An exercise's result as the live stream sends it (grader/checks ExerciseResult). */
export interface LiveResult {
  exerciseId: string;
  status: "pass" | "fail" | "error";
  score: number;
  maxScore: number;
  checks: {
    id: string;
    description: string;
    status: "pass" | "fail" | "error";
    points: number;
    maxPoints: number;
    message: string;
  }[];
}

type Listener = (result: LiveResult) => void;

interface LessonStream {
  source: EventSource;
  listeners: Map<string, Set<Listener>>;
  /** The latest result per exercise, for an exercise that subscribes after it arrived. */
  latest: Map<string, LiveResult>;
}

/** One live stream per lesson, shared by every exercise of the page that listens to it. */
const streams = new Map<string, LessonStream>();

/**
 * Listens to one exercise's live results. The page holds ONE EventSource per lesson
 * (/api/lessons/<lesson>/live, every exercise's results tagged by exercise id), opened by the first
 * exercise that listens and closed when the last one stops: a browser opens at most six HTTP/1.1
 * connections per host, so a stream per exercise left none for Check and Reset. Returns the
 * function that stops listening.
 */
export function listenToLiveResult(lessonId: string, exerciseId: string, listener: Listener): () => void {
  let stream = streams.get(lessonId);
  if (!stream) {
    const opened: LessonStream = {
      source: new EventSource(`/api/lessons/${encodeURIComponent(lessonId)}/live`),
      listeners: new Map(),
      latest: new Map(),
    };
    opened.source.addEventListener("result", (event) => {
      const result = JSON.parse((event as MessageEvent<string>).data) as LiveResult;
      opened.latest.set(result.exerciseId, result);
      for (const listening of opened.listeners.get(result.exerciseId) ?? []) listening(result);
    });
    streams.set(lessonId, opened);
    stream = opened;
  }
  const current = stream;
  const mine = current.listeners.get(exerciseId) ?? new Set<Listener>();
  current.listeners.set(exerciseId, mine);
  mine.add(listener);
  const latest = current.latest.get(exerciseId);
  if (latest) listener(latest);
  return () => {
    mine.delete(listener);
    if (mine.size === 0) current.listeners.delete(exerciseId);
    if (current.listeners.size === 0 && streams.get(lessonId) === current) {
      current.source.close();
      streams.delete(lessonId);
    }
  };
}
