import { KubeConfig } from "@kubernetes/client-node";
import { KubectlError } from "./errors";
import type { KubectlIO } from "./KubectlIO";

/** Where the kubeconfig comes from: --kubeconfig, else $KUBECONFIG (first path), else ~/.kube/config. */
export function kubeconfigPath(io: KubectlIO, explicit?: string): string {
  if (explicit) return explicit;
  const fromEnv = io.env.KUBECONFIG?.split(":").find((path) => path !== "");
  if (fromEnv) return fromEnv;
  return `${io.env.HOME ?? "/root"}/.kube/config`;
}

/** Overrides from kubectl's global flags. */
export interface KubeconfigOverrides {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  server?: string;
  token?: string;
  insecureSkipTlsVerify?: boolean;
}

/**
 * Loads a kubeconfig with client-node and applies kubectl's global overrides. Missing files give
 * an empty config (kubectl then talks to localhost:8080, as the real one does).
 */
export async function loadKubeConfig(io: KubectlIO, overrides: KubeconfigOverrides = {}): Promise<KubeConfig> {
  const kubeConfig = new KubeConfig();
  const path = kubeconfigPath(io, overrides.kubeconfig);
  let text: string | undefined;
  try {
    text = await io.readFile(path);
  } catch {
    if (overrides.kubeconfig) {
      throw new KubectlError(`error: stat ${overrides.kubeconfig}: no such file or directory`);
    }
  }
  if (text && text.trim() !== "") {
    kubeConfig.loadFromString(text);
  } else {
    kubeConfig.loadFromOptions({
      clusters: [{ name: "local", server: "http://localhost:8080", skipTLSVerify: false }],
      users: [{ name: "local" }],
      contexts: [{ name: "local", cluster: "local", user: "local" }],
      currentContext: "local",
    });
  }
  if (overrides.context) {
    if (!kubeConfig.getContextObject(overrides.context)) {
      throw new KubectlError(`error: context "${overrides.context}" does not exist`);
    }
    kubeConfig.setCurrentContext(overrides.context);
  }
  if (overrides.server || overrides.token || overrides.insecureSkipTlsVerify) {
    const cluster = kubeConfig.getCurrentCluster();
    const user = kubeConfig.getCurrentUser();
    const options = {
      clusters: [
        {
          name: cluster?.name ?? "override",
          server: overrides.server ?? cluster?.server ?? "http://localhost:8080",
          caData: overrides.insecureSkipTlsVerify ? undefined : cluster?.caData,
          caFile: overrides.insecureSkipTlsVerify ? undefined : cluster?.caFile,
          skipTLSVerify: overrides.insecureSkipTlsVerify ?? cluster?.skipTLSVerify ?? false,
        },
      ],
      users: [{ ...(user ?? { name: "override" }), token: overrides.token ?? user?.token }],
      contexts: [{ name: "override", cluster: cluster?.name ?? "override", user: user?.name ?? "override", namespace: currentNamespace(kubeConfig) }],
      currentContext: "override",
    };
    const merged = new KubeConfig();
    merged.loadFromOptions(options);
    return merged;
  }
  return kubeConfig;
}

/** The namespace of the current context, or `default`. */
export function currentNamespace(kubeConfig: KubeConfig): string {
  const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext());
  return context?.namespace || "default";
}
