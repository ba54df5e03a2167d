import https from "node:https";
import { PassThrough } from "node:stream";
import * as k8s from "@kubernetes/client-node";
import { Discovery, type ResourceInfo, resourcePath } from "../../terminal/kubectl/Discovery";
import { type Connection, connectionFromKubeConfig } from "../../terminal/kubectl/kubeconfig";
import { RestClient } from "../../terminal/kubectl/RestClient";

/** A Kubernetes object as the grader reads it. */
export type KubeObject = k8s.KubernetesObject & Record<string, unknown>;

/** Reads files on a node or in the learner's home, for file checks (given by whoever hosts the cluster). */
export interface FileReader {
  readNodeFile?(node: string, path: string): Promise<string | undefined>;
  readHomeFile?(path: string): Promise<string | undefined>;
}

/** Thrown when the API server cannot be reached: graded as `error`, never as a failing grade. */
export class UnreachableError extends Error {
  constructor(cause: unknown) {
    super(`cannot reach the cluster (${cause instanceof Error ? cause.message : String(cause)})`);
    this.name = "UnreachableError";
  }
}

function isConnectionFailure(error: unknown): boolean {
  const text = String((error as { code?: unknown })?.code ?? "") + String((error as Error)?.message ?? error);
  return /ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|socket hang up|fetch failed|EAI_AGAIN|connection to the server .* was refused|Unable to connect to the server/i.test(
    text,
  );
}

/** Who asks to do what, as a SubjectAccessReview's spec says it. */
export interface AccessReviewSpec {
  user: string;
  groups?: string[];
  resourceAttributes: {
    namespace?: string;
    verb: string;
    group: string;
    resource: string;
    subresource?: string;
    name?: string;
  };
}

/**
 * The grader's view of one cluster, through the Kubernetes API with @kubernetes/client-node and a
 * kubeconfig, so the same checks grade Kubelab clusters and real ones. Resource types are resolved
 * with the terminal's discovery (terminal/kubectl/Discovery), the same way kubectl resolves them.
 */
export class GradingCluster {
  readonly kubeConfig: k8s.KubeConfig;
  readonly objects: k8s.KubernetesObjectApi;
  readonly rest: RestClient;
  readonly discovery: Discovery;
  readonly namespace: string;
  readonly files: FileReader;

  constructor(kubeconfigText: string, files: FileReader = {}) {
    this.kubeConfig = new k8s.KubeConfig();
    this.kubeConfig.loadFromString(kubeconfigText);
    // client-node refuses a plain-http server unless TLS verification is switched off, and http has
    // no TLS to verify: the app grades learners' clusters over loopback http (/clusters/<id>/).
    const current = this.kubeConfig.getCurrentCluster();
    if (current?.server.startsWith("http:") && !current.skipTLSVerify) {
      this.kubeConfig.clusters = this.kubeConfig.clusters.map((cluster) =>
        cluster === current ? { ...cluster, skipTLSVerify: true } : cluster,
      );
    }
    this.objects = k8s.KubernetesObjectApi.makeApiClient(this.kubeConfig);
    const context = this.kubeConfig.getContextObject(this.kubeConfig.getCurrentContext());
    this.namespace = context?.namespace || "default";
    this.rest = new RestClient(keepAlive(connectionFromKubeConfig(this.kubeConfig)));
    this.discovery = new Discovery(this.rest);
    this.files = files;
  }

  /** Resolves a kind as written in a lesson ("Pod", "deployment", "deploy", "ingresses.networking.k8s.io"). */
  async resolve(kind: string, apiVersion?: string): Promise<ResourceInfo> {
    return this.call(() => (apiVersion ? this.discovery.resolveKind(apiVersion, kind) : this.discovery.resolve(kind)));
  }

  /**
   * Lists objects of a kind, optionally by label selector, in a namespace (or cluster-wide).
   * Reads go through the terminal's REST client over client-node's kubeconfig credentials: it keeps
   * connections alive, which keeps a converged exercise's check well under 20 ms.
   */
  async list(info: ResourceInfo, namespace: string | undefined, selector?: string): Promise<KubeObject[]> {
    const list = await this.get<{ items?: KubeObject[] }>(
      resourcePath(info, info.namespaced ? namespace : undefined),
      selector ? { labelSelector: selector } : undefined,
    );
    return list.items ?? [];
  }

  /** Reads one object, or undefined when it does not exist. */
  async read(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    try {
      return await this.get<KubeObject>(resourcePath(info, info.namespaced ? namespace : undefined, name));
    } catch (error) {
      if ((error as { code?: number; status?: { code?: number } }).code === 404 || statusCode(error) === 404)
        return undefined;
      throw error;
    }
  }

  /**
   * Asks the API server's authorizer whether a user may do something (a SubjectAccessReview, what
   * `kubectl auth can-i --as` asks for). Needs the grader's own right to create reviews, which
   * cluster admins have.
   */
  async accessReview(spec: AccessReviewSpec): Promise<{ allowed: boolean; denied?: boolean; reason?: string }> {
    const review = await this.call(() =>
      this.rest.json<{ status?: { allowed?: boolean; denied?: boolean; reason?: string } }>(
        "POST",
        "/apis/authorization.k8s.io/v1/subjectaccessreviews",
        { body: { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec } },
      ),
    );
    return {
      allowed: review.status?.allowed === true,
      denied: review.status?.denied,
      reason: review.status?.reason,
    };
  }

  /** Identical GETs on their way, shared: a {@link sharingReads} view's own, none on the cluster itself. */
  private inFlight: Map<string, Promise<unknown>> | undefined;

  /** One GET of the API; in a {@link sharingReads} view, a copy of the answer of an identical GET in flight. */
  private async get<T>(path: string, query?: Record<string, string>): Promise<T> {
    const inFlight = this.inFlight;
    if (!inFlight) return this.call(() => this.rest.get<T>(path, { query }));
    const key = query ? `${path}?${new URLSearchParams(query)}` : path;
    let pending = inFlight.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = this.call(() => this.rest.get<T>(path, { query })).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return structuredClone(await pending);
  }

  /**
   * This cluster, with identical reads made while one is on its way sharing its answer. The live
   * checklist grades every exercise a change affects at once, and their checks ask for the same
   * things: a lesson's first grading listed deployments 16 times. Only reads that start while the
   * shared one is still in flight join it, so a view made after a change never answers from before
   * that change. Each caller gets its own copy of the answer (checks may change what they read).
   */
  sharingReads(): GradingCluster {
    const view = Object.create(this) as GradingCluster;
    view.inFlight = new Map();
    return view;
  }

  /**
   * Runs a command in a container (what `kubectl exec` does) and collects its output; the
   * exit code comes from the status channel.
   */
  async exec(
    namespace: string,
    pod: string,
    container: string,
    command: string[],
    timeoutMs = 10_000,
  ): Promise<{ stdout: string; stderr: string; exitCode: number }> {
    const exec = new k8s.Exec(this.kubeConfig);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = "";
    let err = "";
    stdout.on("data", (chunk) => {
      out += chunk;
    });
    stderr.on("data", (chunk) => {
      err += chunk;
    });
    return this.call(
      () =>
        new Promise((resolve, reject) => {
          let socket: { close(): void } | undefined;
          const timer = setTimeout(() => {
            socket?.close();
            resolve({ stdout: out, stderr: `${err}(no answer within ${timeoutMs / 1000}s)`, exitCode: 124 });
          }, timeoutMs);
          exec
            .exec(namespace, pod, container, command, stdout, stderr, null, false, (status) => {
              clearTimeout(timer);
              let exitCode = status.status === "Success" ? 0 : 1;
              const cause = status.details?.causes?.find((item) => item.reason === "ExitCode");
              if (cause?.message) exitCode = Number(cause.message);
              // Output can trail the status frame by a tick.
              setImmediate(() =>
                resolve({ stdout: out, stderr: err || (exitCode ? (status.message ?? "") : ""), exitCode }),
              );
            })
            .then(
              (ws) => {
                socket = ws;
              },
              (error) => {
                clearTimeout(timer);
                reject(error);
              },
            );
        }),
    );
  }

  /**
   * Waits until `test` returns true, re-running it on every watch event of the given kind, for at
   * most `timeoutMs`. Returns whether it became true. No polling: an idle cluster sends nothing.
   */
  async waitFor(
    infos: ResourceInfo[],
    namespace: string | undefined,
    test: () => Promise<boolean>,
    timeoutMs: number,
  ): Promise<boolean> {
    if (await test()) return true;
    if (timeoutMs <= 0) return false;
    const watch = new k8s.Watch(this.kubeConfig);
    const controllers: AbortController[] = [];
    try {
      return await new Promise<boolean>((resolve) => {
        let running = false;
        let again = false;
        let done = false;
        const finish = (value: boolean) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve(value);
        };
        const timer = setTimeout(() => finish(false), timeoutMs);
        const evaluate = async () => {
          if (running) {
            again = true;
            return;
          }
          running = true;
          try {
            do {
              again = false;
              if (await test()) finish(true);
            } while (again && !done);
          } catch {
            // A transient read failure: the next event re-evaluates.
          } finally {
            running = false;
          }
        };
        for (const info of infos) {
          const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
          const path =
            info.namespaced && namespace
              ? `${base}/namespaces/${namespace}/${info.resource}`
              : `${base}/${info.resource}`;
          watch
            .watch(
              path,
              {},
              () => void evaluate(),
              () => undefined,
            )
            .then((controller) => {
              controllers.push(controller);
              if (done) controller.abort();
              // Something may have changed between the first test and the watch starting.
              else void evaluate();
            })
            .catch(() => undefined);
        }
      });
    } finally {
      for (const controller of controllers) controller.abort();
    }
  }

  private async call<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      if (isConnectionFailure(error)) throw new UnreachableError(error);
      throw error;
    }
  }
}

function statusCode(error: unknown): number | undefined {
  const value = error as { statusCode?: number; status?: { code?: number }; code?: unknown };
  return value.statusCode ?? value.status?.code ?? (typeof value.code === "number" ? value.code : undefined);
}

/**
 * The same connection with one keep-alive agent for every request (client-node's options create an
 * agent per request, i.e. a TLS handshake per read), keyed by the TLS material client-node chose.
 */
function keepAlive(connection: Connection): Connection {
  let agent: https.Agent | undefined;
  return {
    ...connection,
    async apply(options) {
      await connection.apply(options);
      if (!connection.server.startsWith("https:")) return;
      agent ??= new https.Agent({
        keepAlive: true,
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        rejectUnauthorized: options.rejectUnauthorized,
        servername: options.servername,
      });
      options.agent = agent;
    },
  };
}
