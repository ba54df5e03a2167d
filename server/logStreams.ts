const guarded = new WeakSet<NodeJS.WritableStream>();

/**
 * Keeps the server serving after whoever reads its output has gone (`npm start | tee log` with tee
 * stopped, a supervisor that exited without stopping it). Each write to the closed pipe then fails
 * with EPIPE, emitted on the stream after the write has returned; with no listener that is an
 * uncaught exception, which Next's own handler logs, to the same closed pipe, and so on without
 * end: a server caught in that loop used 70% of a core and stopped answering requests. Output that
 * cannot be written is dropped; nothing else changes.
 */
export function keepServingWhenOutputCloses(streams: NodeJS.WritableStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if (guarded.has(stream)) continue;
    guarded.add(stream);
    stream.on("error", () => undefined);
  }
}
