"use client";

import { useEffect } from "react";

/**
 * Adds a Copy button to every code block of the lesson text. (The terminal exposes no hook for
 * typing into it yet, so there is no run-in-terminal button: copy, then paste into the terminal.)
 */
export function CodeBlockButtons() {
  useEffect(() => {
    const added: HTMLElement[] = [];
    for (const block of document.querySelectorAll<HTMLPreElement>(".lesson-text pre")) {
      if (block.querySelector(".copy-code")) continue;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "copy-code";
      button.dataset.testid = "copy-code";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy this code");
      button.addEventListener("click", () => {
        const text = block.querySelector("code")?.textContent ?? block.textContent ?? "";
        void navigator.clipboard?.writeText(text).then(
          () => {
            button.textContent = "Copied";
            setTimeout(() => {
              button.textContent = "Copy";
            }, 1500);
          },
          () => {
            button.textContent = "Copy failed";
          },
        );
      });
      block.prepend(button);
      added.push(button);
    }
    return () => {
      for (const button of added) button.remove();
    };
  }, []);
  return null;
}
