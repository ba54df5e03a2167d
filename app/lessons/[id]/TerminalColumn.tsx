"use client";

/** Where the learner's terminal lives beside the lesson. The terminal issue mounts xterm.js in here. */
export function TerminalColumn({ lessonId }: { lessonId: string }) {
  return (
    <aside className="terminal-column" aria-label="Terminal">
      <div className="terminal" data-testid="terminal" data-lesson={lessonId}>
        <p className="terminal-placeholder">The terminal connects here: a shell on your own Kubernetes cluster.</p>
      </div>
    </aside>
  );
}
