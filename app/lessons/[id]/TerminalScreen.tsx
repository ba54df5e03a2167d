"use client";

import { type RefObject, useEffect } from "react";
import { connectTerminal } from "../../../terminal/client/connectTerminal";
import { EARLY_GLOBAL } from "../../../terminal/client/earlyConnect";

/**
 * On a full page load (the inline script opened the terminal's socket), xterm opens as soon as this
 * chunk has run, without waiting for React to hydrate the page and reach the terminal: the
 * terminal's element is already in the document, and its content is not React's (TerminalColumn
 * sets it once as HTML). TerminalScreen then takes that terminal over, and disposes of it on unmount.
 */
let openedEarly: { host: HTMLElement; dispose: () => void } | undefined;
if (typeof window !== "undefined" && (window as unknown as Record<string, unknown>)[EARLY_GLOBAL]) {
  const host = document.querySelector<HTMLElement>('[data-testid="terminal"][data-state="loading"]');
  if (host) {
    host.replaceChildren();
    openedEarly = { host, dispose: connectTerminal(host) };
  }
}

/** xterm.js in the terminal's element, connected to the learner's shell (loaded by TerminalColumn through next/dynamic). */
export default function TerminalScreen({ element }: { element: RefObject<HTMLDivElement | null> }) {
  useEffect(() => {
    const host = element.current;
    if (!host) return;
    if (openedEarly?.host === host) {
      const { dispose } = openedEarly;
      openedEarly = undefined;
      return dispose;
    }
    host.replaceChildren();
    return connectTerminal(host);
  }, [element]);
  return null;
}
