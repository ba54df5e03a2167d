"use client";

import { useEffect } from "react";

/** The window event the terminal (terminal/client/connectTerminal.ts) types from; it sets `detail.accepted`. */
const TERMINAL_INPUT_EVENT = "kubelab:terminal-input";
const SHELL_LANGUAGES = /\blanguage-(bash|sh|shell|console)\b/;
/** `<a pod that looks wrong>`: a block the learner must fill in first is not run as it stands. */
const PLACEHOLDER = /(^|[^<])<[A-Za-z][^<>\n]*>/;

/** Types a command into the learner's terminal as a paste followed by Enter; false when no terminal took it. */
function runInTerminal(text: string): boolean {
  // A bracketed paste, so the shell takes the lines one by one as bash does with pasted text.
  const detail = { text: `\x1b[200~${text.replace(/\n+$/, "")}\x1b[201~\r`, accepted: false };
  window.dispatchEvent(new CustomEvent(TERMINAL_INPUT_EVENT, { detail }));
  return detail.accepted;
}

function flash(button: HTMLButtonElement, text: string, restore: string): void {
  button.textContent = text;
  setTimeout(() => {
    button.textContent = restore;
  }, 1500);
}

function makeButton(label: string, className: string, ariaLabel: string, onClick: () => void): HTMLButtonElement {
  const button = document.createElement("button");
  button.type = "button";
  button.className = className;
  button.dataset.testid = className;
  button.textContent = label;
  button.setAttribute("aria-label", ariaLabel);
  button.addEventListener("click", onClick);
  return button;
}

/**
 * Adds a Copy button to every code block of the lesson (prose and exercise instructions), and a
 * Run button to shell blocks (```bash) that types the commands into the learner's terminal.
 */
export function CodeBlockButtons() {
  useEffect(() => {
    const added: HTMLElement[] = [];
    for (const block of document.querySelectorAll<HTMLPreElement>(".lesson-text pre, .exercise-instructions pre")) {
      if (block.querySelector(".code-actions")) continue;
      const code = block.querySelector("code");
      const text = () => code?.textContent ?? block.textContent ?? "";
      const actions = document.createElement("div");
      actions.className = "code-actions";
      if (code && SHELL_LANGUAGES.test(code.className) && !PLACEHOLDER.test(text())) {
        const run = makeButton("Run", "run-code", "Run these commands in the terminal", () => {
          if (runInTerminal(text())) flash(run, "Sent", "Run");
          else flash(run, "Terminal not ready", "Run");
        });
        actions.append(run);
      }
      const copy = makeButton("Copy", "copy-code", "Copy this code", () => {
        void navigator.clipboard?.writeText(text()).then(
          () => flash(copy, "Copied", "Copy"),
          () => flash(copy, "Copy failed", "Copy"),
        );
      });
      actions.append(copy);
      block.prepend(actions);
      added.push(actions);
    }
    return () => {
      for (const element of added) element.remove();
    };
  }, []);
  return null;
}
