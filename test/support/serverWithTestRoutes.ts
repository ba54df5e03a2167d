// The production server with two extra mounts that exercise the route registry from outside Next:
// a WebSocket echo at /test/echo (greets with the learner it was given) and an HTTP handler at /test/mounted.
import path from "node:path";
import { mountHttp, mountWebSocket, onShutdown } from "../../server/routes";
import { runServer } from "../../server/runServer";

mountWebSocket("/test/echo", (socket, _request, context) => {
  socket.send(JSON.stringify({ learnerId: context.learnerId ?? null, path: context.path }));
  socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
});

mountHttp("/test/mounted", (request, response, context) => {
  response.setHeader("Content-Type", "application/json");
  response.end(JSON.stringify({ method: request.method, ...context }));
});

onShutdown(() => console.log("test shutdown hook ran"));

await runServer({ root: path.resolve(import.meta.dirname, "..", ".."), dev: false });
