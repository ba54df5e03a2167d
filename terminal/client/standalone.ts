import { connectTerminal } from "./connectTerminal";
import { TERMINAL_API_GLOBAL, type TerminalApi } from "./earlyConnect";

/**
 * The browser terminal as one classic script (xterm.js, its addons and connectTerminal), built by
 * server/terminalClientScript.ts and served outside Next's bundles. The lesson page's HTML runs it
 * right after the terminal's element, parser-blocking, so on a full page load it opens xterm in
 * that element before Next's async scripts run and React hydrates (adopting the socket the page's
 * inline script, earlyConnect.ts, opened at the start of <main>). The page's TerminalColumn takes the
 * opened terminal over when it mounts. After a client-side navigation TerminalColumn inserts this
 * script (React runs no script it renders), which opens xterm in the element the same way.
 */
function install(): void {
  const holder = window as unknown as Record<string, TerminalApi | undefined>;
  if (holder[TERMINAL_API_GLOBAL]) return;
  const api: TerminalApi = { connect: connectTerminal };
  holder[TERMINAL_API_GLOBAL] = api;
  const host = document.querySelector<HTMLElement>('[data-testid="terminal"][data-state="loading"]');
  if (!host) return;
  host.replaceChildren();
  api.opened = { host, dispose: connectTerminal(host) };
}

install();
