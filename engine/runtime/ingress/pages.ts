/**
 * nginx's built-in error pages as ingress-nginx serves them (server_tokens off: `nginx` without
 * its version), with nginx's CRLF line ends. The default backend (no --default-backend-service)
 * is nginx itself answering 404 on 127.0.0.1:8181.
 */
export function errorPage(status: number, reason: string): string {
  return `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

/** nginx's own reason phrases where they differ from the standard ones. */
export const nginxReasons: Record<number, string> = {
  404: "Not Found",
  502: "Bad Gateway",
  503: "Service Temporarily Unavailable",
  504: "Gateway Time-out",
};
