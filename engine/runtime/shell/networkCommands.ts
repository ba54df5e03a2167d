import { type Command, defineCommand } from "just-bash";
import type { Clock } from "../../clock/Clock";
import { reasonPhrase } from "../../proxy/httpStatus";
import {
  type HttpResponse,
  type Network,
  NetworkError,
  type NetworkSource,
  type PresentedCertificate,
  type TlsServer,
} from "../../proxy/Network";

interface Target {
  host: string;
  port: number;
  path: string;
  https: boolean;
}

function parseUrl(raw: string): Target | undefined {
  const withScheme = /^[a-z]+:\/\//i.test(raw) ? raw : `http://${raw}`;
  try {
    const url = new URL(withScheme);
    const https = url.protocol === "https:";
    const port = url.port ? Number(url.port) : https ? 443 : 80;
    return { host: url.hostname.replace(/^\[|\]$/g, ""), port, path: `${url.pathname}${url.search}` || "/", https };
  } catch {
    return undefined;
  }
}

/** A TLS handshake the client refused: curl's exit code and message. */
class TlsFailure extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = "TlsFailure";
  }
}

/** The client ended the request itself (Ctrl-C): no message, as a process killed by SIGINT. */
class Interrupted extends Error {}

/** curl's advice after a certificate it could not verify (tool_operate.c's CURL_CA_CERT_ERRORMSG, curl 8). */
const CA_CERT_ADVICE =
  "More details here: https://curl.se/docs/sslcerts.html\n\ncurl failed to verify the legitimacy of the server and therefore could not\nestablish a secure connection to it. To learn more about this situation and\nhow to fix it, please visit the webpage mentioned above.\n";

/** The base64 bodies of a PEM bundle's certificates, whitespace removed, to compare certificates by. */
function certificatesIn(pem: string): string[] {
  const blocks = pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g);
  return [...blocks].map((block) => block[1].replace(/\s+/g, ""));
}

/**
 * curl's TLS handshake with OpenSSL: a port that does not speak TLS fails the handshake (35);
 * unless `-k`, the chain must end at a CA of `--cacert` (else the image's bundle, which holds no
 * cluster CA) and the certificate must name the host. Throws a TlsFailure.
 */
async function curlHandshake(
  tls: TlsServer | undefined,
  host: string,
  options: { insecure: boolean; caFile?: string; readFile(path: string): Promise<string | undefined> },
): Promise<void> {
  if (!tls) throw new TlsFailure(35, "curl: (35) OpenSSL/3.3.2: error:0A00010B:SSL routines::wrong version number");
  if (options.insecure) return;
  let trusted: string[] = [];
  if (options.caFile !== undefined) {
    trusted = certificatesIn((await options.readFile(options.caFile)) ?? "");
    if (trusted.length === 0) throw new TlsFailure(77, `curl: (77) error setting certificate file: ${options.caFile}`);
  }
  const served = await tls.certificate?.().catch(() => undefined);
  if (served) return checkServedCertificate(served, trusted, host);
  const issuers = (await tls.issuers()).flatMap(certificatesIn);
  if (issuers.length === 0)
    throw new TlsFailure(
      60,
      `curl: (60) SSL certificate problem: self-signed certificate in certificate chain\n${CA_CERT_ADVICE}`,
    );
  if (!issuers.some((issuer) => trusted.includes(issuer)))
    throw new TlsFailure(
      60,
      `curl: (60) SSL certificate problem: unable to get local issuer certificate\n${CA_CERT_ADVICE}`,
    );
  if (!tls.names.includes(host.toLowerCase()))
    throw new TlsFailure(
      60,
      `curl: (60) SSL: no alternative certificate subject name matches target hostname '${host}'\n${CA_CERT_ADVICE}`,
    );
}

/**
 * OpenSSL's verification of a one-certificate chain against the `--cacert` bundle (base64 bodies),
 * then curl's host check against the certificate's own SANs.
 */
function checkServedCertificate(served: PresentedCertificate, trusted: readonly string[], host: string): void {
  const pem = (body: string) =>
    `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)?.join("\n")}\n-----END CERTIFICATE-----\n`;
  if (!trusted.some((body) => served.signedBy(pem(body)))) {
    const { selfSigned } = served;
    throw new TlsFailure(
      60,
      `curl: (60) SSL certificate problem: ${selfSigned ? "self-signed certificate" : "unable to get local issuer certificate"}\n${CA_CERT_ADVICE}`,
    );
  }
  if (!served.names.some((name) => name.toLowerCase() === host.toLowerCase()))
    throw new TlsFailure(
      60,
      `curl: (60) SSL: no alternative certificate subject name matches target hostname '${host}'\n${CA_CERT_ADVICE}`,
    );
}

/** Rejects after `ms` on the engine clock (curl -m, wget -T). */
function withTimeout<T>(clock: Clock, ms: number | undefined, promise: Promise<T>): Promise<T> {
  if (ms === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const cancel = clock.setTimer(ms, () => reject(new NetworkError("Timeout", "timed out")));
    promise.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (error) => {
        cancel();
        reject(error);
      },
    );
  });
}

/** What a request may add to the plain exchange: the TLS handshake, and the client giving up. */
interface RequestOptions {
  progress?: { resolved: boolean; connected?: boolean };
  /** Checks the server's certificate for an `https://` target; throws to refuse it. */
  handshake?(tls: TlsServer | undefined): Promise<void>;
  /** Aborted when the client gives up (Ctrl-C, its own timeout): the server stops streaming. */
  signal?: AbortSignal;
}

async function request(
  network: Network,
  source: NetworkSource,
  target: Target,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  options: RequestOptions = {},
): Promise<{ response: HttpResponse; remote: { ip: string; port: number } }> {
  const progress = options.progress ?? { resolved: false };
  // The app listens on all of the pod's addresses: loopback reaches it through the pod IP.
  const loopback = target.host === "localhost" || target.host === "127.0.0.1" || target.host === "::1";
  const host = loopback ? source.ip : target.host;
  // The name is looked up before the connection opens, so a timeout can tell which one it cut short.
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(host)) await network.resolve(source, host);
  progress.resolved = true;
  const connection = await network.connect(source, host, target.port);
  progress.connected = true;
  try {
    if (target.https) await options.handshake?.(connection.tls);
    const response = await connection.http({
      method,
      path: target.path,
      headers,
      body,
      ...(target.https ? { tls: true } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { response, remote: connection.remote };
  } finally {
    connection.close();
  }
}

/**
 * Runs `work` with a signal that aborts when the shell's line is interrupted (Ctrl-C) or when
 * `work` settles early for another reason; an interruption rejects with {@link Interrupted} at once.
 */
async function interruptible<T>(
  interrupt: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  interrupt?.addEventListener("abort", onInterrupt, { once: true });
  try {
    if (interrupt?.aborted) throw new Interrupted();
    const interrupted = new Promise<never>((_, reject) =>
      controller.signal.addEventListener("abort", () => reject(new Interrupted()), { once: true }),
    );
    interrupted.catch(() => {});
    return await Promise.race([work(controller.signal), interrupted]);
  } finally {
    interrupt?.removeEventListener("abort", onInterrupt);
    // Whatever ended the wait (an answer, a timeout, Ctrl-C), a server still streaming stops.
    controller.abort();
  }
}

/** The status line's reason phrase as the server sent it. */
function statusText(response: HttpResponse): string {
  return reasonPhrase(response.status, response.reason);
}

/** curl 8 as curlimages/curl and the nginx image ship it, over the simulated network. */
export function curlCommand(network: Network, source: NetworkSource, clock: Clock): Command {
  return defineCommand("curl", async (args, ctx) => {
    let silent = false;
    let showError = false;
    let include = false;
    let head = false;
    let fail = false;
    let verbose = false;
    let method: string | undefined;
    let output: string | undefined;
    let writeOut: string | undefined;
    let maxTimeMs: number | undefined;
    let data: string | undefined;
    let insecure = false;
    let caFile: string | undefined;
    const headers: Record<string, string> = {};
    const urls: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      const next = () => args[++i] ?? "";
      if (/^-[a-zA-Z]{2,}$/.test(arg) && !["-X", "-H", "-d", "-o", "-w", "-m"].includes(arg)) {
        // Combined short flags: -sS, -fsSL, -sI …
        for (const flag of arg.slice(1)) {
          if (flag === "s") silent = true;
          else if (flag === "S") showError = true;
          else if (flag === "i") include = true;
          else if (flag === "I") head = true;
          else if (flag === "f") fail = true;
          else if (flag === "v") verbose = true;
          else if (flag === "k") insecure = true;
        }
        continue;
      }
      switch (arg) {
        case "-s":
        case "--silent":
          silent = true;
          break;
        case "-S":
        case "--show-error":
          showError = true;
          break;
        case "-i":
        case "--include":
          include = true;
          break;
        case "-I":
        case "--head":
          head = true;
          break;
        case "-f":
        case "--fail":
          fail = true;
          break;
        case "-v":
        case "--verbose":
          verbose = true;
          break;
        case "-k":
        case "--insecure":
          insecure = true;
          break;
        case "--cacert":
          caFile = next();
          break;
        case "-L":
        case "--location":
        case "--http1.1":
        case "-4":
          break;
        case "-X":
        case "--request":
          method = next();
          break;
        case "-H":
        case "--header": {
          const header = next();
          const colon = header.indexOf(":");
          if (colon > 0) headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
          break;
        }
        case "-d":
        case "--data":
        case "--data-raw":
          data = next();
          break;
        case "-o":
        case "--output":
          output = next();
          break;
        case "-w":
        case "--write-out":
          writeOut = next();
          break;
        case "-m":
        case "--max-time":
        case "--connect-timeout":
          maxTimeMs = Number(next()) * 1000;
          break;
        default:
          if (arg.startsWith("-")) {
            return {
              stdout: "",
              stderr: `curl: option ${arg}: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n`,
              exitCode: 2,
            };
          }
          urls.push(arg);
      }
    }
    if (urls.length === 0) {
      return { stdout: "", stderr: "curl: try 'curl --help' or 'curl --manual' for more information\n", exitCode: 2 };
    }
    let stdout = "";
    let stderr = "";
    let exitCode = 0;
    for (const raw of urls) {
      const target = parseUrl(raw);
      if (!target) {
        stderr += `curl: (3) URL rejected: Malformed input to a URL function\n`;
        exitCode = 3;
        continue;
      }
      const requestMethod = method ?? (head ? "HEAD" : data !== undefined ? "POST" : "GET");
      const requestHeaders: Record<string, string> = {
        Host: target.port === (target.https ? 443 : 80) ? target.host : `${target.host}:${target.port}`,
        "User-Agent": "curl/8.11.1",
        Accept: "*/*",
        ...headers,
      };
      if (data !== undefined && !requestHeaders["Content-Type"])
        requestHeaders["Content-Type"] = "application/x-www-form-urlencoded";
      const started = clock.now();
      const progress = { resolved: false, connected: false };
      const readFile = async (path: string) => {
        try {
          return await ctx.fs.readFile(ctx.fs.resolvePath(ctx.cwd, path));
        } catch {
          return undefined;
        }
      };
      try {
        const { response, remote } = await interruptible(ctx.signal, (signal) =>
          withTimeout(
            clock,
            maxTimeMs,
            request(network, source, target, requestMethod, requestHeaders, data, {
              progress,
              signal,
              handshake: (tls) => curlHandshake(tls, target.host, { insecure, caFile, readFile }),
            }),
          ),
        );
        if (verbose) {
          stderr += `*   Trying ${remote.ip}:${remote.port}...\n* Connected to ${target.host} (${remote.ip}) port ${target.port}\n> ${requestMethod} ${target.path} HTTP/1.1\n`;
          for (const [name, value] of Object.entries(requestHeaders)) stderr += `> ${name}: ${value}\n`;
          stderr += `> \n< HTTP/1.1 ${response.status} ${statusText(response)}\n`;
          for (const [name, value] of Object.entries(response.headers)) stderr += `< ${name}: ${value}\n`;
          stderr += "< \n";
        }
        if (fail && response.status >= 400) {
          if (!silent || showError) stderr += `curl: (22) The requested URL returned error: ${response.status}\n`;
          exitCode = 22;
          continue;
        }
        let text = "";
        if (include || head) {
          text += `HTTP/1.1 ${response.status} ${statusText(response)}\r\n`;
          for (const [name, value] of Object.entries(response.headers)) text += `${name}: ${value}\r\n`;
          text += "\r\n";
        }
        if (!head) text += response.body;
        if (output && output !== "-") {
          await ctx.fs.writeFile(ctx.fs.resolvePath(ctx.cwd, output), text);
        } else {
          stdout += text;
        }
        if (writeOut) {
          stdout += writeOut
            .replace(/%\{http_code\}/g, String(response.status))
            .replace(/%\{remote_ip\}/g, remote.ip)
            .replace(/%\{time_total\}/g, ((clock.now() - started) / 1000).toFixed(6))
            .replace(/\\n/g, "\n");
        }
      } catch (error) {
        // Ctrl-C: curl dies of SIGINT, and what it printed so far is all there is.
        if (error instanceof Interrupted) return { stdout, stderr, exitCode: 130 };
        if (error instanceof TlsFailure) {
          exitCode = error.exitCode;
          if (writeOut) stdout += writeOut.replace(/%\{http_code\}/g, "000").replace(/\\n/g, "\n");
          if (!silent || showError) stderr += `${error.message}${error.message.endsWith("\n") ? "" : "\n"}`;
          continue;
        }
        const elapsed = clock.now() - started;
        const code = error instanceof NetworkError ? error.code : "ConnectionRefused";
        let message: string;
        if (code === "Timeout" && progress.connected) {
          // The answer did not come in time (a watch that goes on streaming).
          exitCode = 28;
          message = `curl: (28) Operation timed out after ${elapsed} milliseconds with 0 bytes received`;
        } else if (
          code === "NameNotResolved" ||
          (code === "Timeout" && !progress.resolved && maxTimeMs === undefined)
        ) {
          // No answer from the resolver (DNS blocked by a NetworkPolicy, kube-dns down) ends the same way.
          exitCode = 6;
          message = `curl: (6) Could not resolve host: ${target.host}`;
        } else if (code === "Timeout" && !progress.resolved) {
          exitCode = 28;
          message = `curl: (28) Resolving timed out after ${elapsed} milliseconds`;
        } else if (code === "Timeout") {
          exitCode = 28;
          message =
            maxTimeMs !== undefined
              ? `curl: (28) Connection timed out after ${elapsed} milliseconds`
              : `curl: (28) Failed to connect to ${target.host} port ${target.port} after ${elapsed} ms: Couldn't connect to server`;
        } else {
          exitCode = 7;
          message = `curl: (7) Failed to connect to ${target.host} port ${target.port} after ${elapsed} ms: Couldn't connect to server`;
        }
        if (writeOut) stdout += writeOut.replace(/%\{http_code\}/g, "000").replace(/\\n/g, "\n");
        if (!silent || showError) stderr += `${message}\n`;
      }
    }
    return { stdout, stderr, exitCode };
  });
}

/** busybox wget. */
export function wgetCommand(network: Network, source: NetworkSource, clock: Clock): Command {
  return defineCommand("wget", async (args, ctx) => {
    let quiet = false;
    let output: string | undefined;
    let spider = false;
    let timeoutMs: number | undefined;
    let checkCertificate = true;
    const extraHeaders: Record<string, string> = {};
    const urls: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (arg === "-q" || arg === "--quiet") quiet = true;
      else if (arg === "-qO-" || arg === "-qO" || arg === "-Oq") {
        quiet = true;
        output = arg === "-qO" ? args[++i] : "-";
      } else if (arg === "-O") output = args[++i];
      else if (arg.startsWith("-O")) output = arg.slice(2);
      else if (arg === "--spider") spider = true;
      else if (arg === "-T" || arg === "--timeout") timeoutMs = Number(args[++i]) * 1000;
      else if (arg.startsWith("--timeout=")) timeoutMs = Number(arg.slice("--timeout=".length)) * 1000;
      else if (arg === "--no-check-certificate") checkCertificate = false;
      else if (arg === "--header" || arg.startsWith("--header=")) {
        const header = arg === "--header" ? (args[++i] ?? "") : arg.slice("--header=".length);
        const colon = header.indexOf(":");
        if (colon > 0) extraHeaders[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
      } else if (arg === "-S" || arg === "-c") continue;
      else if (arg.startsWith("-")) {
        return {
          stdout: "",
          stderr: `wget: unrecognized option '${arg}'\nBusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n`,
          exitCode: 1,
        };
      } else urls.push(arg);
    }
    if (urls.length === 0) {
      return {
        stdout: "",
        stderr:
          "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n",
        exitCode: 1,
      };
    }
    let stdout = "";
    let stderr = "";
    for (const raw of urls) {
      const target = parseUrl(raw);
      if (!target) return { stdout, stderr: `${stderr}wget: bad address '${raw}'\n`, exitCode: 1 };
      try {
        const headers = { Host: target.host, "User-Agent": "Wget", Connection: "close", ...extraHeaders };
        const { response, remote } = await interruptible(ctx.signal, (signal) =>
          withTimeout(
            clock,
            timeoutMs ?? 900_000,
            request(network, source, target, spider ? "HEAD" : "GET", headers, undefined, { signal }),
          ),
        );
        if (!quiet)
          stderr += `Connecting to ${target.host}${target.port === (target.https ? 443 : 80) ? "" : `:${target.port}`} (${remote.ip}:${remote.port})\n`;
        // BusyBox's TLS client checks no certificate, and says so once (unless told not to).
        if (target.https && checkCertificate) {
          stderr += "wget: note: TLS certificate validation not implemented\n";
          checkCertificate = false;
        }
        if (response.status >= 400) {
          return {
            stdout,
            stderr: `${stderr}wget: server returned error: HTTP/1.1 ${response.status} ${statusText(response)}\n`,
            exitCode: 1,
          };
        }
        if (spider) {
          if (!quiet) stderr += "remote file exists\n";
          continue;
        }
        const name = output ?? (target.path.split("?")[0].split("/").pop() || "index.html");
        const size = new TextEncoder().encode(response.body).length;
        if (name === "-") {
          if (!quiet) stderr += "writing to stdout\n";
          stdout += response.body;
          if (!quiet)
            stderr += `-                    100% |********************************|  ${String(size).padStart(4)}  0:00:00 ETA\nwritten to stdout\n`;
        } else {
          const path = ctx.fs.resolvePath(ctx.cwd, name);
          if (!output && (await ctx.fs.exists(path))) {
            return { stdout, stderr: `${stderr}wget: can't open '${name}': File exists\n`, exitCode: 1 };
          }
          if (!quiet) stderr += `saving to '${name}'\n`;
          await ctx.fs.writeFile(path, response.body);
          if (!quiet)
            stderr += `${name.padEnd(20).slice(0, 20)} 100% |********************************|  ${String(size).padStart(4)}  0:00:00 ETA\n'${name}' saved\n`;
        }
      } catch (error) {
        if (error instanceof Interrupted) return { stdout, stderr, exitCode: 130 };
        const code = error instanceof NetworkError ? error.code : "ConnectionRefused";
        if (code === "NameNotResolved")
          return {
            stdout,
            stderr: `${stderr}wget: bad address '${target.host}${target.port === (target.https ? 443 : 80) ? "" : `:${target.port}`}'\n`,
            exitCode: 1,
          };
        if (!quiet)
          stderr += `Connecting to ${target.host}${target.port === (target.https ? 443 : 80) ? "" : `:${target.port}`}\n`;
        if (code === "Timeout") return { stdout, stderr: `${stderr}wget: download timed out\n`, exitCode: 1 };
        const ip = /^\d+\.\d+\.\d+\.\d+$/.test(target.host) ? target.host : target.host;
        return {
          stdout,
          stderr: `${stderr}wget: can't connect to remote host (${ip}): Connection refused\n`,
          exitCode: 1,
        };
      }
    }
    return { stdout, stderr, exitCode: 0 };
  });
}

/** busybox nslookup, answered by cluster DNS. */
export function nslookupCommand(network: Network, source: NetworkSource): Command {
  return defineCommand("nslookup", async (args) => {
    const names = args.filter((arg) => !arg.startsWith("-"));
    const name = names[0];
    if (!name) {
      return {
        stdout: "",
        stderr:
          "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n",
        exitCode: 1,
      };
    }
    const server = names[1] ?? source.resolvConf?.nameservers[0] ?? "10.96.0.10";
    const header = `Server:\t\t${server}\nAddress:\t${server}:53\n\n`;
    try {
      const answer = await network.resolve(source, name);
      let body = "";
      for (const address of answer.addresses) body += `Name:\t${answer.name}\nAddress: ${address}\n`;
      return { stdout: `${header}${body}\n`, stderr: "", exitCode: 0 };
    } catch {
      const searched =
        name.includes(".") || !source.resolvConf
          ? [name]
          : [...source.resolvConf.searches.map((s) => `${name}.${s}`), name];
      let out = header;
      for (const candidate of searched) out += `** server can't find ${candidate}: NXDOMAIN\n\n`;
      return { stdout: out, stderr: "", exitCode: 1 };
    }
  });
}
