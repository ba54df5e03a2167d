import { startControllerManager } from "../controllers";
import { controlPlaneCa } from "../kubelet/kubeadmFiles";
import { startKubelets } from "../kubelet/startKubelets";
import { startKubeProxy } from "../proxy";
import { startScheduler } from "../scheduler";
import type { ClusterHandle, ComponentStarter } from "./createCluster";
import { startKubernetesServiceController } from "./kubernetesService";

/**
 * kube-controller-manager's --cluster-signing-cert-file and -key-file: the control plane's
 * /etc/kubernetes/pki/ca.crt and ca.key as they are now (a learner may have replaced or removed
 * them); see controlPlaneCa.
 */
async function signingAuthority(cluster: ClusterHandle) {
  const { certificatePem, privateKeyPem } = await controlPlaneCa(
    cluster.nodeFileSystem?.(cluster.controlPlaneNode),
    cluster.clock.now(),
  );
  return certificatePem !== undefined && privateKeyPem !== undefined ? { certificatePem, privateKeyPem } : undefined;
}

/**
 * The components createCluster starts, in order. Each engineer adds one entry for their
 * component; `start` receives the ClusterHandle (api server, clock, speed, node names) and builds
 * a ComponentContext with `cluster.context(name, username, groups)`.
 */
export const componentStarters: ComponentStarter[] = [
  {
    name: "kube-apiserver",
    start: (cluster) =>
      startKubernetesServiceController(
        cluster.context("kube-apiserver", "system:apiserver", ["system:masters"]),
        cluster.controlPlaneIp,
      ),
  },
  {
    name: "kube-scheduler",
    // The kube-scheduler static pod is the scheduler: it schedules while that pod serves and can
    // reach the API (kube-apiserver over etcd).
    runsWhile: (controlPlane) => controlPlane.isServing("kube-scheduler") && controlPlane.apiReachable(),
    start: (cluster) => startScheduler(cluster.context("kube-scheduler", "system:kube-scheduler")),
  },
  {
    name: "kube-controller-manager",
    runsWhile: (controlPlane) => controlPlane.isServing("kube-controller-manager") && controlPlane.apiReachable(),
    start: (cluster) =>
      startControllerManager(cluster.context("kube-controller-manager", "system:kube-controller-manager"), {
        // The HPA reads pod usage from the kubelets, as metrics-server does for metrics.k8s.io.
        metrics: (namespace, pod, node) =>
          node ? cluster.apiServer.kubelets.get(node)?.podMetrics(namespace, pod)?.containers : undefined,
        signingAuthority: () => signingAuthority(cluster),
        // --root-ca-file (kubeadm: /etc/kubernetes/pki/ca.crt), what kube-root-ca.crt publishes.
        rootCa: async () =>
          (await controlPlaneCa(cluster.nodeFileSystem?.(cluster.controlPlaneNode), cluster.clock.now()))
            .certificatePem,
      }),
  },
  {
    name: "kube-proxy",
    start: (cluster) => startKubeProxy(cluster),
  },
  {
    name: "kubelet",
    start: (cluster) => startKubelets(cluster),
  },
];
