/**
 * The reason phrases of HTTP status codes (RFC 9110), the one table every HTTP speaker of the
 * simulated network uses. An app whose server words one differently (nginx answers `405 Not
 * Allowed`) sends its own in {@link HttpResponse.reason}.
 */
const reasonPhrases: Readonly<Record<number, string>> = {
  100: "Continue",
  101: "Switching Protocols",
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  206: "Partial Content",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** The reason phrase of `status` as a response's status line carries it (empty when unknown, as Go's servers send). */
export function reasonPhrase(status: number, override?: string): string {
  return override ?? reasonPhrases[status] ?? "";
}
