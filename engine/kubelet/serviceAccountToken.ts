import type { Pod } from "../api/core";
import { ServiceAccounts } from "../api/resources";
import type { KubeObject } from "../api/types";
import { isApiError } from "../apiserver/ApiError";
import type { Client } from "../client/Client";
import type { Clock } from "../clock/Clock";

/** Clients whose API server answered that it serves no TokenRequests. */
const withoutTokenRequests = new WeakSet<Client>();

const base64url = (text: string) => Buffer.from(text).toString("base64url");

/**
 * The projected service-account token the kubelet writes to
 * /var/run/secrets/kubernetes.io/serviceaccount/token: a TokenRequest bound to the pod when the
 * API server serves `serviceaccounts/token`, otherwise a JWT with the same claims.
 */
export async function serviceAccountToken(
  client: Client,
  clock: Clock,
  pod: Pod,
  audience: string | undefined,
  expirationSeconds: number,
): Promise<string> {
  const namespace = pod.metadata.namespace ?? "default";
  const serviceAccount = pod.spec?.serviceAccountName ?? "default";
  if (!withoutTokenRequests.has(client))
    try {
      const response = await client.createSubresource<KubeObject>(ServiceAccounts, namespace, serviceAccount, "token", {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        metadata: {},
        spec: {
          audiences: audience ? [audience] : ["https://kubernetes.default.svc.cluster.local"],
          expirationSeconds,
          boundObjectRef: { apiVersion: "v1", kind: "Pod", name: pod.metadata.name, uid: pod.metadata.uid },
        },
      });
      const token = response.status?.token;
      if (typeof token === "string" && token) return token;
    } catch (error) {
      // An API server that does not serve the subresource never will: build tokens locally from now on.
      const unserved =
        (isApiError(error, "NotFound") &&
          (error as Error).message === "the server could not find the requested resource") ||
        isApiError(error, "MethodNotAllowed");
      if (unserved) withoutTokenRequests.add(client);
    }
  const now = Math.floor(clock.now() / 1000);
  const header = base64url(JSON.stringify({ alg: "RS256", kid: "kubelab" }));
  const claims = base64url(
    JSON.stringify({
      aud: [audience ?? "https://kubernetes.default.svc.cluster.local"],
      exp: now + expirationSeconds,
      iat: now,
      iss: "https://kubernetes.default.svc.cluster.local",
      "kubernetes.io": {
        namespace,
        node: { name: pod.spec?.nodeName },
        pod: { name: pod.metadata.name, uid: pod.metadata.uid },
        serviceaccount: { name: serviceAccount },
      },
      nbf: now,
      sub: `system:serviceaccount:${namespace}:${serviceAccount}`,
    }),
  );
  return `${header}.${claims}.${base64url(`${pod.metadata.uid}:${now}`)}`;
}
