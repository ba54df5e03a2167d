export { createHttpHandler, MAX_REQUEST_BODY_BYTES } from "./createHttpHandler";
export type { HttpHandler, UpgradeRejection } from "./createHttpHandler";
export type {
  HttpApiServer,
  HttpHandlerOptions,
  HttpRequest,
  HttpResponseWriter,
  MessageSocket,
  UpgradeAcceptance,
} from "./types";
export { CHANNEL_PROTOCOLS } from "./channelProtocol";
export { httpApiServerOf } from "./adapter";
