/**
 * The terminal WebSocket protocol (JSON text frames). The browser opens
 * `/terminal/<session-id>?cols=C&rows=R`; the session id is chosen by the page so a reconnect
 * after a blip attaches to the same shell.
 */

/** Browser → server. */
export type ClientMessage =
  | { type: "input"; data: string }
  | { type: "resize"; cols: number; rows: number }
  | { type: "ping"; at: number };

/** Server → browser. */
export type ServerMessage =
  | { type: "output"; data: string }
  /** Sent once on attach; `replayed` tells whether earlier output was replayed (a reconnect). */
  | { type: "ready"; session: string; replayed: boolean }
  | { type: "exit"; status: number }
  | { type: "pong"; at: number }
  | { type: "error"; message: string };

/** The path prefix the terminal WebSocket is mounted at. */
export const terminalPath = "/terminal/";

/** Parses a client frame; returns undefined for anything malformed. */
export function parseClientMessage(text: string): ClientMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const message = value as Record<string, unknown>;
  if (message.type === "input" && typeof message.data === "string" && message.data.length <= 65_536)
    return { type: "input", data: message.data };
  if (message.type === "resize" && Number.isInteger(message.cols) && Number.isInteger(message.rows)) {
    const cols = Math.min(500, Math.max(2, message.cols as number));
    const rows = Math.min(300, Math.max(2, message.rows as number));
    return { type: "resize", cols, rows };
  }
  if (message.type === "ping" && typeof message.at === "number") return { type: "ping", at: message.at };
  return undefined;
}
