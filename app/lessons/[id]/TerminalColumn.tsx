"use client";

import "@xterm/xterm/css/xterm.css";
import { useEffect, useRef } from "react";
import { loadTerminalApi, TERMINAL_API_GLOBAL, type TerminalApi } from "../../../terminal/client/earlyConnect";

const placeholder = '<p class="terminal-placeholder">Connecting to a shell on your own Kubernetes cluster…</p>';
const failed = (reason: string) =>
  `<p class="terminal-placeholder">The terminal could not start (${reason.replace(/[<&]/g, "")}): reload the page.</p>`;

/**
 * The learner's terminal beside the lesson. xterm.js and the terminal's client code are one script
 * of their own (`scriptUrl`, terminal/client/standalone.ts), not part of Next's bundles: on a full
 * page load the inline script after this element (page.tsx) has opened the terminal's WebSocket
 * and inserted that script, which opened xterm here as soon as it had downloaded, before React
 * hydrated the page; this component takes that terminal over. After a client-side navigation it
 * loads the script (once per tab) and connects itself. The element's content is xterm's, not
 * React's (set once as HTML, never reconciled).
 */
export function TerminalColumn({ lessonId, scriptUrl }: { lessonId: string; scriptUrl?: string }) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    performance.mark?.("kubelab:terminal-column-hydrated");
    const host = element.current;
    if (!host) return;
    const api = (window as unknown as Record<string, TerminalApi | undefined>)[TERMINAL_API_GLOBAL];
    if (api?.opened?.host === host) {
      const { dispose } = api.opened;
      api.opened = undefined;
      return dispose;
    }
    let dispose: (() => void) | undefined;
    let unmounted = false;
    if (!scriptUrl) {
      host.innerHTML = failed("this server serves no terminal script");
      return;
    }
    loadTerminalApi(scriptUrl).then(
      (loaded) => {
        if (unmounted) return;
        // The script may have opened the terminal here meanwhile (it was still downloading).
        if (loaded.opened?.host === host) {
          dispose = loaded.opened.dispose;
          loaded.opened = undefined;
          return;
        }
        host.replaceChildren();
        dispose = loaded.connect(host);
      },
      (error: unknown) => {
        if (!unmounted) host.innerHTML = failed((error as Error).message);
      },
    );
    return () => {
      unmounted = true;
      dispose?.();
    };
  }, [scriptUrl]);
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
    </aside>
  );
}
