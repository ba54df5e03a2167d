"use client";

import { type RefObject, useEffect } from "react";
import { connectTerminal } from "../../../terminal/client/connectTerminal";

/** xterm.js in the terminal's element, connected to the learner's shell (loaded by TerminalColumn through next/dynamic). */
export default function TerminalScreen({ element }: { element: RefObject<HTMLDivElement | null> }) {
  useEffect(() => {
    const host = element.current;
    if (!host) return;
    host.replaceChildren();
    return connectTerminal(host);
  }, [element]);
  return null;
}
