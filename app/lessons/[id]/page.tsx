import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { gradedLesson } from "../../../grader/format/gradedLesson";
import { learnerClusterLesson } from "../../../lib/clusters/learnerClusters";
import { currentLearnerId } from "../../../lib/learner/currentLearner";
import { currentCourse } from "../../../lib/lessons/loadLessons";
import { ClusterActions } from "./ClusterActions";
import { LessonWithExercises } from "./LessonWithExercises";
import { TerminalColumn } from "./TerminalColumn";

export const dynamic = "force-dynamic";

interface LessonPageProps {
  params: Promise<{ id: string }>;
}

function findLesson(id: string) {
  const { lessons } = currentCourse();
  const index = lessons.findIndex((lesson) => lesson.id === id);
  if (index < 0) return undefined;
  return { lesson: lessons[index], previous: lessons[index - 1], next: lessons[index + 1] };
}

export async function generateMetadata({ params }: LessonPageProps): Promise<Metadata> {
  const found = findLesson((await params).id);
  return found?.lesson ? { title: found.lesson.title, description: found.lesson.summary } : {};
}

export default async function LessonPage({ params }: LessonPageProps) {
  const found = findLesson((await params).id);
  if (!found?.lesson) notFound();
  const { lesson, previous, next } = found;
  const startingState = gradedLesson(lesson).startingState ? await startingStateOf(lesson.id) : undefined;

  return (
    <main className="lesson-layout">
      <article className="lesson" data-testid="lesson">
        <p className="lesson-module">{lesson.module}</p>
        <ClusterActions lessonId={lesson.id} startingState={startingState} />
        <LessonWithExercises lesson={lesson} />
        <nav className="lesson-nav">
          {previous ? <Link href={`/lessons/${previous.id}`}>← {previous.title}</Link> : <span />}
          {next ? <Link href={`/lessons/${next.id}`}>{next.title} →</Link> : <Link href="/">All lessons</Link>}
        </nav>
      </article>
      <TerminalColumn lessonId={lesson.id} />
    </main>
  );
}

/** Whether the learner's cluster was last reset to this lesson's starting state. */
async function startingStateOf(lessonId: string): Promise<"loaded" | "not-loaded"> {
  const learnerId = await currentLearnerId();
  const loaded = learnerId ? await learnerClusterLesson(learnerId).catch(() => undefined) : undefined;
  return loaded === lessonId ? "loaded" : "not-loaded";
}
