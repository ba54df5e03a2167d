import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { learnerClusterLesson, prepareLearnerCluster } from "../../../lib/clusters/learnerClusters";
import { currentLearnerId } from "../../../lib/learner/currentLearner";
import { currentCourse } from "../../../lib/lessons/loadLessons";
import { terminalClientScriptUrl } from "../../../lib/terminalClientScriptUrl";
import { earlyTerminalScript } from "../../../terminal/client/earlyConnect";
import { ClusterActions } from "./ClusterActions";
import { LessonWithExercises } from "./LessonWithExercises";
import { lessonView } from "./lessonView";
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

/**
 * The lesson beside the learner's terminal. What needs the database (the learner's progress, the
 * starting-state banner) is streamed in Suspense boundaries, so the page's first bytes — with the
 * inline script that opens the terminal's WebSocket — leave the server before those queries run,
 * and the learner's shell starts while the rest of the page is rendered and loaded.
 */
export default async function LessonPage({ params }: LessonPageProps) {
  const found = findLesson((await params).id);
  if (!found?.lesson) notFound();
  const { lesson, previous, next } = found;
  const terminalScript = terminalClientScriptUrl();
  // The terminal's socket opens once this HTML arrives; its cluster is found (or created) meanwhile.
  const learnerId = terminalScript ? await currentLearnerId() : undefined;
  if (learnerId) prepareLearnerCluster(learnerId);

  return (
    <main className="lesson-layout">
      {/*
        Opens the terminal's WebSocket before the lesson's HTML is parsed and laid out and before the
        page's JavaScript runs, and holds Next's hydration back until the terminal's first output is
        on screen (terminal/client/earlyConnect.ts): only the site header precedes it. Without the
        terminal's script there is no terminal to wait for.
      */}
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant script (terminal/client/earlyConnect.ts), no data in it. */}
      {terminalScript ? <script dangerouslySetInnerHTML={{ __html: earlyTerminalScript }} /> : null}
      <article className="lesson" data-testid="lesson">
        <p className="lesson-module">{lesson.module}</p>
        <Suspense fallback={<ClusterActions lessonId={lesson.id} />}>
          <LessonClusterActions lessonId={lesson.id} prepared={lessonView(lesson).graded.startingState !== undefined} />
        </Suspense>
        <Suspense fallback={null}>
          <LessonWithExercises lesson={lesson} />
        </Suspense>
        <nav className="lesson-nav">
          {previous ? <Link href={`/lessons/${previous.id}`}>← {previous.title}</Link> : <span />}
          {next ? <Link href={`/lessons/${next.id}`}>{next.title} →</Link> : <Link href="/">All lessons</Link>}
        </nav>
      </article>
      <TerminalColumn lessonId={lesson.id} scriptUrl={terminalScript} />
      {/*
        Right after the terminal's element, before the lesson's text (streamed later) and before the
        page's own JavaScript: the terminal's script (xterm.js, terminal/client/standalone.ts),
        parser-blocking so that it runs before Next's async scripts, opens xterm in the element and
        adopts the socket. The prompt does not wait for React to hydrate the page.
      */}
      {terminalScript ? <script src={terminalScript} /> : null}
    </main>
  );
}

/** Reset and the kubeconfig download, with the starting-state banner when the lesson prepares a cluster. */
async function LessonClusterActions({ lessonId, prepared }: { lessonId: string; prepared: boolean }) {
  const startingState = prepared ? await startingStateOf(lessonId) : undefined;
  return <ClusterActions lessonId={lessonId} startingState={startingState} />;
}

/** Whether the learner's cluster was last reset to this lesson's starting state. */
async function startingStateOf(lessonId: string): Promise<"loaded" | "not-loaded"> {
  const learnerId = await currentLearnerId();
  const loaded = learnerId ? await learnerClusterLesson(learnerId).catch(() => undefined) : undefined;
  return loaded === lessonId ? "loaded" : "not-loaded";
}
