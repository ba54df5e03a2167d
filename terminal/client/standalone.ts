import { connectTerminal } from "./connectTerminal";
import { EARLY_GLOBAL, TERMINAL_API_GLOBAL, type TerminalApi } from "./earlyConnect";

/**
 * The browser terminal as one classic script (xterm.js, its addons and connectTerminal), built by
 * server/terminalClientScript.ts and served outside Next's bundles. The lesson page's inline script
 * (earlyConnect.ts) inserts it right after the terminal's element has been parsed, so on a full
 * page load it runs as soon as it has downloaded and opens xterm in that element at once: the
 * prompt does not wait for the page's own JavaScript to run and React to hydrate it. The page's
 * TerminalColumn takes the opened terminal over when it mounts, or calls `connect` itself (on a
 * client-side navigation, where React runs no inline script).
 */
function install(): void {
  const holder = window as unknown as Record<string, TerminalApi | undefined>;
  if (holder[TERMINAL_API_GLOBAL]) return;
  const api: TerminalApi = { connect: connectTerminal };
  holder[TERMINAL_API_GLOBAL] = api;
  if (!(window as unknown as Record<string, unknown>)[EARLY_GLOBAL]) return;
  const host = document.querySelector<HTMLElement>('[data-testid="terminal"][data-state="loading"]');
  if (!host) return;
  host.replaceChildren();
  api.opened = { host, dispose: connectTerminal(host) };
}

install();
