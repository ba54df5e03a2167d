"use client";

import { useEffect, useRef } from "react";

/**
 * The learner's terminal beside the lesson: xterm.js connected to the learner's shell. xterm and
 * its addons load lazily (a dynamic import) so the lesson page's first-load JavaScript stays small.
 */
export function TerminalColumn({ lessonId }: { lessonId: string }) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let disposed = false;
    let dispose: (() => void) | undefined;
    void import("../../../terminal/client/connectTerminal").then(({ connectTerminal }) => {
      if (disposed || !element.current) return;
      element.current.replaceChildren();
      dispose = connectTerminal(element.current);
    });
    return () => {
      disposed = true;
      dispose?.();
    };
  }, []);
  return (
    <aside className="terminal-column" aria-label="Terminal">
      <div ref={element} className="terminal" data-testid="terminal" data-lesson={lessonId} data-state="loading">
        <p className="terminal-placeholder">Connecting to a shell on your own Kubernetes cluster…</p>
      </div>
    </aside>
  );
}
