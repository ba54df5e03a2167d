import type { KubeObject } from "../api/types";
import { kubernetesVersion } from "../images";

const kubeProxyConfig = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: ""
  burst: 0
  contentType: ""
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: 10.244.0.0/16
configSyncPeriod: 0s
conntrack:
  maxPerCore: null
  min: null
  tcpCloseWaitTimeout: null
  tcpEstablishedTimeout: null
detectLocalMode: ""
enableProfiling: false
healthzBindAddress: ""
hostnameOverride: ""
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
kind: KubeProxyConfiguration
metricsBindAddress: ""
mode: ""
nodePortAddresses: null
oomScoreAdj: null
portRange: ""
showHiddenMetricsForAlphaFeatures: false
`;

const corefile = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
`;

/**
 * The add-ons `kubeadm init` installs: kube-proxy (a DaemonSet on every node) and CoreDNS (a
 * Deployment of 2 behind the `kube-dns` Service at 10.96.0.10), with their ConfigMaps and
 * ServiceAccounts, as kubeadm 1.32 writes them.
 */
export function kubeadmAddons(controlPlaneIp: string): Array<{ resource: string; group: string; object: KubeObject }> {
  const ns = "kube-system";
  return [
    {
      resource: "serviceaccounts",
      group: "",
      object: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "kube-proxy", namespace: ns } },
    },
    {
      resource: "configmaps",
      group: "",
      object: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "kube-proxy", namespace: ns, labels: { app: "kube-proxy" } },
        data: {
          "config.conf": kubeProxyConfig,
          "kubeconfig.conf": `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt\n    server: https://${controlPlaneIp}:6443\n  name: default\ncontexts:\n- context:\n    cluster: default\n    namespace: default\n    user: default\n  name: default\ncurrent-context: default\nusers:\n- name: default\n  user:\n    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token\n`,
        },
      },
    },
    {
      resource: "daemonsets",
      group: "apps",
      object: {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name: "kube-proxy", namespace: ns, labels: { "k8s-app": "kube-proxy" } },
        spec: {
          selector: { matchLabels: { "k8s-app": "kube-proxy" } },
          updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
          template: {
            metadata: { labels: { "k8s-app": "kube-proxy" } },
            spec: {
              containers: [
                {
                  name: "kube-proxy",
                  image: `registry.k8s.io/kube-proxy:${kubernetesVersion}`,
                  imagePullPolicy: "IfNotPresent",
                  command: [
                    "/usr/local/bin/kube-proxy",
                    "--config=/var/lib/kube-proxy/config.conf",
                    "--hostname-override=$(NODE_NAME)",
                  ],
                  env: [
                    { name: "NODE_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.nodeName" } } },
                  ],
                  securityContext: { privileged: true },
                  volumeMounts: [
                    { name: "kube-proxy", mountPath: "/var/lib/kube-proxy" },
                    { name: "xtables-lock", mountPath: "/run/xtables.lock" },
                    { name: "lib-modules", mountPath: "/lib/modules", readOnly: true },
                  ],
                },
              ],
              hostNetwork: true,
              nodeSelector: { "kubernetes.io/os": "linux" },
              priorityClassName: "system-node-critical",
              serviceAccountName: "kube-proxy",
              tolerations: [{ operator: "Exists" }],
              volumes: [
                { name: "kube-proxy", configMap: { name: "kube-proxy" } },
                { name: "xtables-lock", hostPath: { path: "/run/xtables.lock", type: "FileOrCreate" } },
                { name: "lib-modules", hostPath: { path: "/lib/modules", type: "" } },
              ],
            },
          },
        },
      },
    },
    {
      resource: "serviceaccounts",
      group: "",
      object: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "coredns", namespace: ns } },
    },
    {
      resource: "configmaps",
      group: "",
      object: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "coredns", namespace: ns },
        data: { Corefile: corefile },
      },
    },
    {
      resource: "deployments",
      group: "apps",
      object: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "coredns", namespace: ns, labels: { "k8s-app": "kube-dns" } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { "k8s-app": "kube-dns" } },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: "25%" } },
          template: {
            metadata: { labels: { "k8s-app": "kube-dns" } },
            spec: {
              affinity: {
                podAntiAffinity: {
                  preferredDuringSchedulingIgnoredDuringExecution: [
                    {
                      weight: 100,
                      podAffinityTerm: {
                        labelSelector: { matchExpressions: [{ key: "k8s-app", operator: "In", values: ["kube-dns"] }] },
                        topologyKey: "kubernetes.io/hostname",
                      },
                    },
                  ],
                },
              },
              containers: [
                {
                  name: "coredns",
                  image: "registry.k8s.io/coredns/coredns:v1.11.3",
                  imagePullPolicy: "IfNotPresent",
                  args: ["-conf", "/etc/coredns/Corefile"],
                  ports: [
                    { name: "dns", containerPort: 53, protocol: "UDP" },
                    { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
                    { name: "metrics", containerPort: 9153, protocol: "TCP" },
                  ],
                  resources: { limits: { memory: "170Mi" }, requests: { cpu: "100m", memory: "70Mi" } },
                  livenessProbe: {
                    httpGet: { path: "/health", port: 8080, scheme: "HTTP" },
                    initialDelaySeconds: 60,
                    timeoutSeconds: 5,
                    successThreshold: 1,
                    failureThreshold: 5,
                  },
                  readinessProbe: { httpGet: { path: "/ready", port: 8181, scheme: "HTTP" } },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] },
                    readOnlyRootFilesystem: true,
                  },
                  volumeMounts: [{ name: "config-volume", mountPath: "/etc/coredns", readOnly: true }],
                },
              ],
              dnsPolicy: "Default",
              nodeSelector: { "kubernetes.io/os": "linux" },
              priorityClassName: "system-cluster-critical",
              serviceAccountName: "coredns",
              tolerations: [
                { key: "CriticalAddonsOnly", operator: "Exists" },
                { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
              ],
              volumes: [
                {
                  name: "config-volume",
                  configMap: { name: "coredns", items: [{ key: "Corefile", path: "Corefile" }] },
                },
              ],
            },
          },
        },
      },
    },
    {
      resource: "services",
      group: "",
      object: {
        apiVersion: "v1",
        kind: "Service",
        metadata: {
          name: "kube-dns",
          namespace: ns,
          labels: { "k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS" },
          annotations: { "prometheus.io/port": "9153", "prometheus.io/scrape": "true" },
        },
        spec: {
          clusterIP: "10.96.0.10",
          clusterIPs: ["10.96.0.10"],
          ports: [
            { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
            { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
            { name: "metrics", port: 9153, protocol: "TCP", targetPort: 9153 },
          ],
          selector: { "k8s-app": "kube-dns" },
          type: "ClusterIP",
        },
      },
    },
  ];
}
