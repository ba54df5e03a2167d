export { httpApiServerOf } from "./adapter";
export { CHANNEL_PROTOCOLS } from "./channelProtocol";
export type { HttpHandler, UpgradeRejection } from "./createHttpHandler";
export { createHttpHandler, MAX_REQUEST_BODY_BYTES } from "./createHttpHandler";
export type {
  HttpApiServer,
  HttpHandlerOptions,
  HttpRequest,
  HttpResponseWriter,
  MessageSocket,
  UpgradeAcceptance,
} from "./types";
