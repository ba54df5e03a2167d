"use client";

import "@xterm/xterm/css/xterm.css";
import dynamic from "next/dynamic";
import { Suspense, useEffect, useRef } from "react";

/**
 * xterm.js and the terminal's client code (TerminalScreen): a chunk of their own, not part of the
 * lesson page's first-load JavaScript. next/dynamic has the server put a `<link rel="preload">` for
 * that chunk in the page's head (it does so only for `ssr: true`; TerminalScreen renders nothing on
 * the server), so the browser fetches it beside the page's own scripts and runs it as soon as this
 * island hydrates, instead of asking for it only after hydration. Its own Suspense boundary lets
 * the rest of the page hydrate without waiting for it.
 */
const TerminalScreen = dynamic(() => import("./TerminalScreen"));
// Start evaluating that chunk as soon as this module runs (while the page hydrates), not when React
// reaches the terminal at the end of the page: the same module, so next/dynamic finds it loaded.
if (typeof window !== "undefined") void import("./TerminalScreen");

const placeholder = '<p class="terminal-placeholder">Connecting to a shell on your own Kubernetes cluster…</p>';

/**
 * The learner's terminal beside the lesson. The page's inline script (page.tsx) has opened the
 * terminal's WebSocket while the page's JavaScript loaded (terminal/client/earlyConnect.ts);
 * TerminalScreen opens xterm in the element and adopts that socket. The element's content
 * is xterm's, not React's (set once as HTML, never reconciled).
 */
export function TerminalColumn({ lessonId }: { lessonId: string }) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    performance.mark?.("kubelab:terminal-column-hydrated");
  }, []);
  return (
    <aside className="terminal-column" aria-label="Terminal">
      <div
        ref={element}
        className="terminal"
        data-testid="terminal"
        data-lesson={lessonId}
        data-state="loading"
        suppressHydrationWarning
        // biome-ignore lint/security/noDangerouslySetInnerHtml: a constant placeholder; xterm replaces it.
        dangerouslySetInnerHTML={{ __html: placeholder }}
      />
      <Suspense fallback={null}>
        <TerminalScreen element={element} />
      </Suspense>
    </aside>
  );
}
