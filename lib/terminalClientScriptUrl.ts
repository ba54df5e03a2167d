import "server-only";

// The custom server (loaded by tsx) sets it and the lesson page (bundled by Next) reads it: two
// copies of this module in one process, so the value lives on globalThis.
const KEY = Symbol.for("kubelab.terminalClientScriptUrl");
type Holder = { [KEY]?: string };

/** Where the server serves the terminal's script (server/terminalClientScript.ts); set once at start. */
export function setTerminalClientScriptUrl(url: string): void {
  (globalThis as Holder)[KEY] = url;
}

/** The terminal script's URL, or undefined when this server did not build one. */
export function terminalClientScriptUrl(): string | undefined {
  return (globalThis as Holder)[KEY];
}
