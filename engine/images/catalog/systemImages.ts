import type { ControlPlaneProgram, ImageDefinition, ServerProgram } from "../ImageDefinition";
import { releases } from "../tags";
import { kubeApiServerFlags, kubeControllerManagerFlags, kubeSchedulerFlags } from "./controlPlaneFlags";

/** The Kubernetes version the simulated control plane, kubelets and kube-proxy report. */
export const kubernetesVersion = "v1.32.0";

const ok = { status: 200, body: "ok", contentType: "text/plain; charset=utf-8" };

/** A component's health and metrics ports (HTTPS when `tls` says so), answered by fixed routes. */
function klogServer(
  startupLog: string[],
  ports: number[],
  memoryBytes: number,
  cpuMillicores: number,
  tls?: "kubernetesApi" | "selfSigned",
): ServerProgram {
  return {
    kind: "server",
    startupLog,
    listen: ports.map((port) => ({
      port,
      http: { kind: "routes", routes: { "/healthz": ok, "/livez": ok, "/readyz": ok, "/metrics": ok } },
      ...(tls ? { tls } : {}),
    })),
    memoryBytes,
    cpuMillicores,
    stopExitCode: 0,
  };
}

/** A static pod's control-plane binary: `server` checked at start as `definition` says. */
function controlPlane(definition: ControlPlaneProgram, server: ServerProgram): ServerProgram {
  return { ...server, controlPlane: definition };
}

const kubeTags = (sizeBytes: number) => ({
  [kubernetesVersion]: { version: kubernetesVersion, sizeBytes },
  "v1.32.1": { version: "v1.32.1", sizeBytes },
  "v1.31.4": { version: "v1.31.4", sizeBytes },
});

/** pause, the control-plane images kubeadm uses, CoreDNS and kube-proxy. */
export const systemImages: ImageDefinition[] = [
  {
    repository: "registry.k8s.io/pause",
    tags: releases(["3.10", 320368, "3.10 latest"], ["3.9", 321520, "3.9"], ["3.8", 311286, "3.8"]),
    userland: "none",
    os: "distroless",
    config: { entrypoint: ["/pause"] },
    programs: { "/pause": { kind: "pause", stopLog: ["Shutting down, got signal: Terminated"] } },
  },
  {
    repository: "registry.k8s.io/etcd",
    tags: releases(["3.5.16", 57680541, "3.5.16-0"], ["3.5.15", 56909194, "3.5.15-0"]),
    userland: "none",
    os: "distroless",
    config: { env: ["PATH=/usr/local/bin:/usr/bin:/bin"] },
    programs: {
      "/usr/local/bin/etcd": {
        kind: "server",
        startupLog: [
          '{"level":"warn","ts":"{time:etcd}","caller":"embed/config.go:689","msg":"Running http and grpc server on single port. This is not recommended for production."}',
          '{"level":"info","ts":"{time:etcd}","caller":"etcdmain/etcd.go:73","msg":"Running: ","args":["etcd","--advertise-client-urls=https://{ip}:2379","--cert-file=/etc/kubernetes/pki/etcd/server.crt","--client-cert-auth=true","--data-dir={dataDir}","--listen-client-urls=https://127.0.0.1:2379,https://{ip}:2379","--listen-metrics-urls=http://127.0.0.1:2381","--name={hostname}"]}',
          '{"level":"info","ts":"{time:etcd}","caller":"embed/etcd.go:311","msg":"starting an etcd server","etcd-version":"{version}","git-sha":"f20bbad","go-version":"go1.22.7","go-os":"linux","go-arch":"amd64","max-cpu-set":2,"max-cpu-available":2,"member-initialized":false,"name":"{hostname}","data-dir":"{dataDir}"}',
          '{"level":"info","ts":"{time:etcd}","caller":"etcdserver/server.go:2118","msg":"published local member to cluster through raft","local-member-attributes":"{Name:{hostname} ClientURLs:[https://{ip}:2379]}","request-path":"/0/members/2e80f96756a54ca9/attributes","cluster-id":"6a3c8d73b7b2ec9e","publish-timeout":"7s"}',
          '{"level":"info","ts":"{time:etcd}","caller":"embed/serve.go:103","msg":"ready to serve client requests"}',
          '{"level":"info","ts":"{time:etcd}","caller":"embed/serve.go:250","msg":"serving client traffic securely","traffic":"grpc+http","address":"{ip}:2379"}',
        ],
        listen: [
          { port: 2379, tcp: {} },
          { port: 2380, tcp: {} },
          {
            port: 2381,
            http: {
              kind: "routes",
              routes: {
                "/health": { status: 200, body: '{"health":"true","reason":""}' },
                "/readyz": ok,
                "/livez": ok,
              },
            },
          },
        ],
        memoryBytes: 41_943_040,
        cpuMillicores: 21,
        stopExitCode: 0,
        controlPlane: { component: "etcd", linesBeforeChecks: 0 },
        options: { "--data-dir": "dataDir" },
        defaults: { dataDir: "default.etcd" },
        clusterStore: { dataDirOption: "dataDir" },
      },
    },
  },
  {
    repository: "registry.k8s.io/kube-apiserver",
    tags: kubeTags(28671624),
    userland: "none",
    os: "distroless",
    config: { env: ["PATH=/usr/local/bin:/usr/bin:/bin"] },
    programs: {
      "/usr/local/bin/kube-apiserver": controlPlane(
        {
          component: "kube-apiserver",
          flags: kubeApiServerFlags,
          linesBeforeChecks: 3,
          files: [
            { flag: "tls-cert-file", check: "open" },
            { flag: "tls-private-key-file", check: "open" },
            { flag: "client-ca-file", check: "open" },
          ],
          etcdServersFlag: "etcd-servers",
        },
        klogServer(
          [
            "{time:klog}       1 options.go:228] external host was not specified, using {ip}",
            "{time:klog}       1 server.go:143] Version: {version}",
            '{time:klog}       1 server.go:145] "Golang settings" GOGC="" GOMAXPROCS="" GOTRACEBACK=""',
            "{time:klog}       1 shared_informer.go:313] Waiting for caches to sync for node_authorizer",
            "{time:klog}       1 secure_serving.go:213] Serving securely on [::]:6443",
            "{time:klog}       1 controller.go:615] quota admission added evaluator for: namespaces",
          ],
          [6443],
          262_144_000,
          38,
          "kubernetesApi",
        ),
      ),
    },
  },
  {
    repository: "registry.k8s.io/kube-controller-manager",
    tags: kubeTags(26264729),
    userland: "none",
    os: "distroless",
    config: { env: ["PATH=/usr/local/bin:/usr/bin:/bin"] },
    programs: {
      "/usr/local/bin/kube-controller-manager": controlPlane(
        {
          component: "kube-controller-manager",
          flags: kubeControllerManagerFlags,
          linesBeforeChecks: 1,
          files: [
            { flag: "kubeconfig", check: "stat" },
            { flag: "cluster-signing-cert-file", check: "signer" },
          ],
        },
        klogServer(
          [
            "{time:klog}       1 serving.go:386] Generated self-signed cert in-memory",
            '{time:klog}       1 controllermanager.go:185] "Starting" version="{version}"',
            '{time:klog}       1 controllermanager.go:187] "Golang settings" GOGC="" GOMAXPROCS="" GOTRACEBACK=""',
            "{time:klog}       1 secure_serving.go:213] Serving securely on 127.0.0.1:10257",
            "{time:klog}       1 leaderelection.go:257] attempting to acquire leader lease kube-system/kube-controller-manager...",
            "{time:klog}       1 leaderelection.go:271] successfully acquired lease kube-system/kube-controller-manager",
          ],
          [10257],
          52_428_800,
          12,
          "selfSigned",
        ),
      ),
    },
  },
  {
    repository: "registry.k8s.io/kube-scheduler",
    tags: kubeTags(20657536),
    userland: "none",
    os: "distroless",
    config: { env: ["PATH=/usr/local/bin:/usr/bin:/bin"] },
    programs: {
      "/usr/local/bin/kube-scheduler": controlPlane(
        {
          component: "kube-scheduler",
          flags: kubeSchedulerFlags,
          linesBeforeChecks: 1,
          files: [{ flag: "kubeconfig", check: "stat" }],
        },
        klogServer(
          [
            "{time:klog}       1 serving.go:386] Generated self-signed cert in-memory",
            '{time:klog}       1 server.go:167] "Starting Kubernetes Scheduler" version="{version}"',
            "{time:klog}       1 secure_serving.go:213] Serving securely on 127.0.0.1:10259",
            "{time:klog}       1 leaderelection.go:257] attempting to acquire leader lease kube-system/kube-scheduler...",
            "{time:klog}       1 leaderelection.go:271] successfully acquired lease kube-system/kube-scheduler",
          ],
          [10259],
          20_971_520,
          4,
          "selfSigned",
        ),
      ),
    },
  },
  {
    repository: "registry.k8s.io/kube-proxy",
    tags: kubeTags(30907689),
    userland: "none",
    os: "distroless",
    config: { env: ["PATH=/usr/local/bin:/usr/bin:/bin"] },
    programs: {
      "/usr/local/bin/kube-proxy": klogServer(
        [
          '{time:klog}       1 server_linux.go:66] "Using iptables proxy"',
          '{time:klog}       1 server.go:698] "Successfully retrieved node IP(s)" IPs=["{ip}"]',
          '{time:klog}       1 server_linux.go:170] "Using iptables Proxier"',
          '{time:klog}       1 server.go:497] "Version info" version="{version}"',
          '{time:klog}       1 config.go:199] "Starting service config controller"',
          '{time:klog}       1 config.go:105] "Starting endpoint slice config controller"',
          '{time:klog}       1 config.go:329] "Starting node config controller"',
          "{time:klog}       1 shared_informer.go:320] Caches are synced for node config",
          "{time:klog}       1 shared_informer.go:320] Caches are synced for service config",
          "{time:klog}       1 shared_informer.go:320] Caches are synced for endpoint slice config",
        ],
        [10256, 10249],
        15_728_640,
        1,
      ),
    },
  },
  {
    repository: "registry.k8s.io/coredns/coredns",
    tags: releases(["1.11.3", 18562039, "v1.11.3"], ["1.11.1", 18182961, "v1.11.1"]),
    userland: "none",
    os: "distroless",
    config: { entrypoint: ["/coredns"], exposedPorts: ["53/tcp", "53/udp"] },
    programs: {
      "/coredns": {
        kind: "server",
        startupLog: [
          ".:53",
          "[INFO] plugin/reload: Running configuration SHA512 = 1b226df79860026c6a52e67daa10d7f0d57ec5b023288ec00c5e05f93523c894564e15b91770d3a07ae1cfbe861d15b37d4a0027e69c546ab112970993a3b03b",
          "CoreDNS-{version}",
          "linux/amd64, go1.21.11, a6338e9",
        ],
        listen: [
          { port: 53, tcp: {} },
          { port: 8080, http: { kind: "routes", routes: { "/health": { status: 200, body: "OK" } } } },
          { port: 8181, http: { kind: "routes", routes: { "/ready": { status: 200, body: "OK" } } } },
          {
            port: 9153,
            http: { kind: "routes", routes: { "/metrics": { status: 200, body: "# coredns metrics\n" } } },
          },
        ],
        memoryBytes: 13_107_200,
        cpuMillicores: 2,
        stopLog: [
          "[INFO] SIGTERM: Shutting down servers then terminating",
          "[INFO] plugin/health: Going into lameduck mode for 5s",
        ],
        stopExitCode: 0,
      },
    },
  },
];
