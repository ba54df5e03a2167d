/**
 * The differential corpus: commands run by the real kubectl and by Kubelab's against the same
 * cluster state. `{n}` in a mutating command becomes a distinct name per side (r1/o1), so both
 * act on equivalent objects; outputs are compared after mapping the names back.
 */

import { debugMutating, debugReadOnly } from "./debugCorpus";
import { kustomizeManifests, kustomizeMutating, kustomizeReadOnly } from "./kustomizeCorpus";

/**
 * 14 events on pod etest/ties in two seconds, interleaved in name order (the order the server lists
 * them): more than 12, so kubectl's sort.Sort (Go's pdqsort) partitions them and equal times
 * change places; see terminal/kubectl/goSort.ts.
 */
function tieEvents(): string {
  const seconds = [5, 4, 5, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5];
  return seconds
    .map((second, index) => {
      const id = String(index + 1).padStart(2, "0");
      const time = `2026-11-01T10:00:0${second}Z`;
      return `apiVersion: v1
kind: Event
metadata:
  name: ties.e${id}
  namespace: etest
involvedObject:
  apiVersion: v1
  kind: Pod
  name: ties
  namespace: etest
  uid: "{uid:etest/pod/ties}"
reason: Tie${id}
message: tie event ${id}
type: Normal
source:
  component: tie-test
firstTimestamp: "${time}"
lastTimestamp: "${time}"
count: 1
`;
    })
    .join("---\n");
}

/** Files written to the working folder before the corpus runs. */
export const manifests: Record<string, string> = {
  // --validate: unknown fields (spec.replica) and a repeated key
  "typo-base.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {n}-typo
spec:
  replicas: 1
  selector: {matchLabels: {app: {n}-typo}}
  template:
    metadata: {labels: {app: {n}-typo}}
    spec:
      containers: [{name: nginx, image: nginx}]
`,
  "typo.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {n}-typo
spec:
  replica: 2
  selector: {matchLabels: {app: {n}-typo}}
  template:
    metadata: {labels: {app: {n}-typo}}
    spec:
      containers: [{name: nginx, image: nginx, imagePolicy: x}]
`,
  "dup-keys.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {n}-dup
data:
  a: "1"
  a: "2"
`,
  // -o *-file templates, read from the working folder
  "columns.txt": "NAME          NODE\nmetadata.name spec.nodeName\n",
  "columns-short.txt": "NAME IMAGE\nmetadata.name\n",
  "names.tmpl": "{{range .items}}{{.metadata.name}} {{.status.phase}}\n{{end}}",
  "names.jsonpath": '{range .items[*]}{.metadata.name}{"\\n"}{end}',
  // kubectl config set-credentials/set-cluster/set: each side edits its own copy of cfg/kc
  "cfg/kc": `apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster:
    server: https://10.0.0.10:6443
    certificate-authority: ca.crt
contexts:
- name: lab
  context: {cluster: lab, user: admin}
current-context: lab
users:
- name: admin
  user: {token: abc, unknown: dropped}
`,
  "cfg/jane.crt": "-----BEGIN CERTIFICATE-----\nMIIBjane\n-----END CERTIFICATE-----\n",
  "cfg/jane.key": "-----BEGIN PRIVATE KEY-----\nMIIBkey\n-----END PRIVATE KEY-----\n",
  // certificates: a fixed PKCS#10 request (EC P-256, CN=dana, O=dev, O=qa) made with openssl
  "csr.yaml": `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata:
  name: {n}-csr
spec:
  request: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIbU1JR01BZ0VBTUNveERUQUxCZ05WQkFNTUJHUmhibUV4RERBS0JnTlZCQW9NQTJSbGRqRUxNQWtHQTFVRQpDZ3dDY1dFd1dUQVRCZ2NxaGtqT1BRSUJCZ2dxaGtqT1BRTUJCd05DQUFSTExSUFFDL3pHNk5PN3RtZTRLMVVDCmIwT2pzZ3JmMVVpdHhCM0t3T3B2cVVNQnQ1emVpTGNrcmhUNW9yRkpxZ3RKRnBpMTRRYnJoWmExcVh4RDBqMG0Kb0FBd0NnWUlLb1pJemowRUF3SURTUUF3UmdJaEFPV0k4YTZUMjY2WFRlbWJnQ0EyeVF5YlpYWlFPbHRaWUlSNgpINjhUaDdrUUFpRUFvYXpjSmcvcVBRR0RObXFYNkdYajdUM1NSNzIyZmxFSDNFWXZtTm1yOGxZPQotLS0tLUVORCBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K
  signerName: kubernetes.io/kube-apiserver-client
  expirationSeconds: 86400
  usages:
  - client auth
`,
  "init-pod.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: {n}-init
spec:
  initContainers:
  - name: wait
    image: busybox
    command: ["sh", "-c", "echo ready"]
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "echo hello; sleep 3600"]
`,
  "pod.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: {n}-pod
  labels:
    app: manifest
spec:
  containers:
  - name: web
    image: nginx:1.25
    ports:
    - containerPort: 80
`,
  "deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {n}-deploy
spec:
  replicas: 1
  selector:
    matchLabels:
      app: {n}-deploy
  template:
    metadata:
      labels:
        app: {n}-deploy
    spec:
      containers:
      - name: web
        image: nginx
`,
  "local.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {n}-local
  labels:
    tier: web
  annotations:
    note: one
spec:
  replicas: 1
  selector:
    matchLabels:
      app: {n}-local
  template:
    metadata:
      labels:
        app: {n}-local
    spec:
      containers:
      - name: web
        image: nginx:1.25
        env:
        - name: A
          value: "1"
`,
  "deploy-v2.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {n}-deploy
  labels:
    tier: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: {n}-deploy
  template:
    metadata:
      labels:
        app: {n}-deploy
    spec:
      containers:
      - name: web
        image: nginx:1.27
        env:
        - name: MODE
          value: prod
`,
  "multi.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {n}-cm
data:
  key: value
---
apiVersion: v1
kind: Service
metadata:
  name: {n}-svc
spec:
  selector:
    app: x
  ports:
  - port: 80
    targetPort: 8080
`,
  "app/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {n}-dir-cm
data:
  mode: folder
`,
  "app/sa.yaml": `apiVersion: v1
kind: ServiceAccount
metadata:
  name: {n}-dir-sa
`,
  "bad.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: {n}-bad
spec:
  containers:
  - name: c
    image: nginx
    imagePullPolicy: Sometimes
`,
};

/** Editor programs for `kubectl edit` cases (KUBE_EDITOR / EDITOR), written executable. */
Object.assign(manifests, {
  "edit-replicas.sh": `#!/bin/sh\nsed -i 's/^  replicas: .*/  replicas: 3/' "$1"\n`,
  "edit-invalid.sh": `#!/bin/sh\nsed -i 's/^  replicas: .*/  replicas: -1/' "$1"\n`,
  "edit-image.sh": `#!/bin/sh\nsed -i 's/image: nginx$/image: nginx:1.27/' "$1"\n`,
  // breaks the YAML once; the reopened file (spec: : :) is saved unchanged
  "edit-yaml.sh": `#!/bin/sh\nsed -i 's/^spec:$/spec: : :/' "$1"\n`,
  "edit-unknown.sh": `#!/bin/sh\nsed -i 's/^spec:$/spec:\\n  bogus: 1/' "$1"\n`,
  "edit-rename.sh": `#!/bin/sh\nsed -i 's/^  name: \\(.*\\)-ed$/  name: \\1-renamed/' "$1"\n`,
  "edit-cm.sh": `#!/bin/sh\nsed -i 's/^  a: "1"$/  a: "2"\\n  b: added/' "$1"\n`,
  "hello.txt": "hello\n",
});

/** Manifests for the shared state, written once to the work folder (`{dir}` in setup commands). */
export const sharedManifests: Record<string, string> = {
  "ds.yaml": `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: logger
spec:
  selector:
    matchLabels:
      app: logger
  template:
    metadata:
      labels:
        app: logger
    spec:
      containers:
      - name: agent
        image: busybox
        command: ["sh", "-c", "sleep 3600"]
`,
  "sts.yaml": `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 1
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: redis
        image: redis
        ports:
        - containerPort: 6379
`,
  "ingress.yaml": `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web-ing
spec:
  rules:
  - host: web.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
`,
  "quota.yaml": `apiVersion: v1
kind: Namespace
metadata:
  name: qtest
---
apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
  namespace: qtest
spec:
  limits:
  - type: Container
    default:
      memory: 256Mi
    defaultRequest:
      memory: 128Mi
  - type: Pod
    max:
      memory: 1Gi
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
  namespace: qtest
spec:
  hard:
    requests.memory: 1G
    limits.memory: 2Gi
    pods: "5"
    count/deployments.apps: "2"
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: besteffort
  namespace: qtest
spec:
  hard:
    pods: "3"
  scopes: ["NotTerminating", "BestEffort"]
`,
  "policy.yaml": `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api-policy
  namespace: dtest
spec:
  podSelector:
    matchLabels:
      app: api
  policyTypes: ["Ingress", "Egress"]
  ingress:
  - from:
    - podSelector:
        matchLabels:
          role: frontend
    - namespaceSelector:
        matchLabels:
          team: a
      podSelector:
        matchExpressions:
        - {key: tier, operator: In, values: [web, cache]}
    - ipBlock:
        cidr: 10.0.0.0/8
        except: [10.1.0.0/16, 10.2.0.0/16]
    ports:
    - port: 80
    - port: 8000
      endPort: 8080
      protocol: UDP
  - {}
  egress:
  - to:
    - namespaceSelector: {}
    ports:
    - port: dns
      protocol: UDP
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-ingress
  namespace: dtest
spec:
  podSelector: {}
  policyTypes: ["Ingress"]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: api-pdb
  namespace: dtest
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: api
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: any-pdb
  namespace: dtest
spec:
  maxUnavailable: 25%
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: high-priority
  annotations:
    team: platform
value: 100000
description: "For the important workloads"
preemptionPolicy: Never
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
spec:
  controller: k8s.io/ingress-nginx
  parameters:
    apiGroup: k8s.example.com
    kind: IngressParameters
    name: external-lb
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
provisioner: kubernetes.io/no-provisioner
parameters:
  type: ssd
  zone: a
reclaimPolicy: Retain
allowVolumeExpansion: true
mountOptions: ["debug", "ro"]
volumeBindingMode: WaitForFirstConsumer
allowedTopologies:
- matchLabelExpressions:
  - key: topology.kubernetes.io/zone
    values: [zone-a, zone-b]
`,
  "crd.yaml": `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
`,
  "widget.yaml": `apiVersion: example.com/v1
kind: Widget
metadata:
  name: gadget
spec:
  sizeGB: 3
  ratio: 0.25
  colorHTTPName: red
  my-field: x
  owner_ref: z
  nothing: null
  list: [a, {b: c}]
  apiURL: https://example.com
`,
  "tie-events.yaml": tieEvents(),
  // --sort-by on values kubectl cannot compare: bools, maps, arrays, an int64 against a float64
  // (3.0 is written back as 3) and mixed types end kubectl with klog's fatal line. The labels sort
  // differently byte by byte (kubectl 1.31+: web-10, web-9, web-a), naturally (web-9, web-10,
  // web-a) and unsorted (w1, w2, w3).
  "sort-widgets.yaml": `apiVersion: example.com/v1
kind: Widget
metadata: {name: w1, namespace: stest}
spec: {flag: true, count: 3, ratio: 2.5, parts: {a: "1"}, sizes: [1, 2], mixed: s, label: web-a}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w2, namespace: stest}
spec: {flag: false, count: 1, ratio: 1.5, parts: {a: "2"}, sizes: [3], mixed: true, label: web-9}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w3, namespace: stest}
spec: {count: 2, ratio: 3.0, parts: {a: "0"}, sizes: [0], mixed: 4, label: web-10}
`,
  "pv-affinity.yaml": `apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv-affinity
spec:
  capacity:
    storage: 1Gi
  accessModes: [ReadWriteOncePod, ReadOnlyMany, ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: manual
  local:
    path: /mnt/disk
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - {key: kubernetes.io/hostname, operator: In, values: [node01, node02]}
        - {key: disk, operator: Exists}
`,
  "pvc.yaml": `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 1Gi
`,
};

/** Real-kubectl commands that build the shared state (run once, in order). */
export const setup: string[] = [
  "create namespace dtest",
  "create deployment web --image=nginx --replicas=2",
  "expose deployment web --port=80 --target-port=80",
  "run solo --image=nginx --labels=app=solo,tier=frontend",
  "run other --image=busybox --restart=Never --command -- sleep 3600",
  "create configmap settings --from-literal=color=blue --from-literal=size=10",
  "create secret generic creds --from-literal=user=admin --from-literal=pass=s3cret",
  "create serviceaccount robot",
  "create role reader --verb=get,list,watch --resource=pods,deployments.apps",
  "create rolebinding reader-binding --role=reader --serviceaccount=default:robot",
  "create job once --image=busybox -- echo done",
  "create cronjob tick --image=busybox --schedule='*/5 * * * *' -- date",
  "create deployment api -n dtest --image=httpd --replicas=1",
  "create service nodeport api-np -n dtest --tcp=80:80 --node-port=30080",
  "label pod solo env=test",
  "annotate pod solo owner=team-a",
  "apply -f {dir}/ds.yaml",
  "apply -f {dir}/sts.yaml",
  "apply -f {dir}/pvc.yaml",
  "apply -f {dir}/pv-affinity.yaml",
  "apply -f {dir}/ingress.yaml",
  "apply -f {dir}/quota.yaml",
  "apply -f {dir}/policy.yaml",
  "apply -f {dir}/crd.yaml",
  "wait --for=condition=Established crd/widgets.example.com --timeout=30s",
  "apply -f {dir}/widget.yaml",
  "create namespace stest",
  "apply -f {dir}/sort-widgets.yaml",
  "run quota-pod -n qtest --image=nginx",
  "autoscale deployment web --min=2 --max=4 --cpu-percent=70",
  "rollout status deployment web --timeout=60s",
  "rollout status daemonset logger --timeout=60s",
  "rollout status statefulset db --timeout=60s",
  "wait --for=condition=Ready pod/solo --timeout=60s",
  "wait --for=condition=Ready pod/quota-pod -n qtest --timeout=60s",
  "wait --for=condition=Complete job/once --timeout=60s",
  "create namespace etest",
  "run ties -n etest --image=nginx",
  "wait --for=condition=Ready pod/ties -n etest --timeout=60s",
  "create -f {dir}/tie-events.yaml",
];

/** Commands compared read-only (they don't change the cluster). */
export const readOnly: string[] = [
  // get, tables
  "get nodes",
  "get nodes -o wide",
  "get no",
  "get node controlplane",
  "get nodes --show-labels",
  "get nodes -L kubernetes.io/hostname",
  "get nodes --no-headers",
  "get nodes --sort-by=.metadata.name",
  "get pods",
  "get po",
  "get pods -o wide",
  "get pods -A",
  "get pods --all-namespaces -o wide",
  "get pods -n kube-system",
  "get pods --namespace=kube-system --no-headers",
  // kubectl's printers' tabwriter minwidth 6 shows without headers and with short headers
  "get pods --no-headers",
  "get deploy --no-headers",
  "get deploy -A -o custom-columns=R:.spec.replicas,N:.metadata.name",
  "get sts,ds,cm,sa,hpa --no-headers",
  "top nodes --no-headers",
  "top pods -A --no-headers",
  "config get-contexts --no-headers",
  "get pods -l app=solo",
  "get pods -l 'app in (solo,web)'",
  "get pods --selector=tier=frontend --show-labels",
  "get pods -L app,tier",
  "get pods --field-selector=status.phase=Running",
  "get pods --field-selector=metadata.name=solo",
  "get pod solo",
  "get pod/solo",
  "get pods solo other",
  "get pod solo -o name",
  "get pods -o name",
  "get deployments",
  "get deploy web",
  "get deployments.apps",
  "get deployment.v1.apps web",
  "get deploy -o wide",
  "get deploy,svc",
  "get svc",
  "get services -o wide",
  "get svc web",
  "get svc -n dtest",
  "get ep",
  "get endpoints web",
  "get rs",
  "get replicasets -o wide",
  "get ns",
  "get namespace default",
  "get cm",
  "get configmaps settings",
  "get secrets",
  "get secret creds",
  "get sa",
  "get serviceaccounts robot",
  "get roles",
  "get rolebindings",
  "get rolebinding reader-binding -o wide",
  "get jobs",
  "get cronjobs",
  "get cj tick -o wide",
  "get all",
  "get all -n dtest",
  "get all -A",
  "get events --field-selector=reason=Scheduled --no-headers -o name",
  "get clusterroles --no-headers -o name --sort-by=.metadata.name",
  "get pv",
  "get pvc",
  "get storageclass",
  "get priorityclasses",
  "get leases -n kube-node-lease",
  "get crd",
  "get nope",
  "get pods nope",
  "get pod solo nope",
  "get deploy nope -n dtest",
  "get pods --ignore-not-found nope",
  "get pods -n empty-namespace-x",
  "get pods -o yaml --ignore-not-found nope",
  "get deploy nope -o yaml",
  "get deploy/nope -o json",
  "get pod nope -o custom-columns=N:.metadata.name",
  "get secret nope -o go-template='{{.data}}'",
  "get pod solo nope -o yaml",
  // output formats
  "get pod solo -o yaml",
  "get pod solo -o json",
  "get ns default -o yaml",
  "get deploy web -o yaml",
  "get svc web -o json",
  "get cm settings -o yaml",
  "get secret creds -o json",
  "get pods -l app=solo -o yaml",
  "get nodes -o jsonpath={.items[*].metadata.name}",
  "get pods -o jsonpath={.items[*].metadata.name}",
  "get pod solo -o jsonpath={.spec.containers[0].image}",
  "get pod solo -o jsonpath={.metadata.labels}",
  'get nodes -o jsonpath={range.items[*]}{.metadata.name}{"\\t"}{.status.nodeInfo.kubeletVersion}{"\\n"}{end}',
  'get pods -o jsonpath={.items[?(@.metadata.name=="solo")].status.phase}',
  "get deploy web -o jsonpath={.spec.replicas}",
  "get svc web -o jsonpath={.spec.ports[0].port}",
  "get nodes -o jsonpath-as-json={.items[*].metadata.name}",
  "get pods -o custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[*].image",
  "get nodes -o custom-columns=NAME:.metadata.name,CPU:.status.capacity.cpu --no-headers",
  "get pod solo -o custom-columns=NAME:.metadata.name,MISSING:.spec.nothing",
  "get deploy -o custom-columns=NAME:.metadata.name,LABELS:.metadata.labels",
  "get nodes -o custom-columns=NAME:.metadata.name,TAINTS:.spec.taints",
  "get cm settings -o custom-columns=NAME:.metadata.name,DATA:.data",
  "get pods -o custom-columns=NAME:.metadata.name,PORTS:.spec.containers[*].ports,READY:.status.containerStatuses[0].ready",
  "get pods -o foo",
  "create deployment x --image=nginx --dry-run=client -o custom-columns=N:.metadata.name",
  "config view -o custom-columns=N:.kind",
  "cluster-info dump -o wide",
  "get pods -o jsonpath=",
  // describe
  "describe pod solo",
  "describe pod/solo",
  "describe pod web --show-events=false",
  "describe pod/web",
  "describe svc we",
  "describe pod -n kube-system etcd-controlplane",
  "describe pods -l app=solo",
  "describe deployment web",
  "describe deploy web",
  "describe svc web",
  "describe service api-np -n dtest",
  "describe node node01",
  "describe node controlplane",
  "describe ns default",
  "describe namespace dtest",
  "describe cm settings",
  "describe secret creds",
  "describe sa robot",
  "describe rs -l app=web",
  "describe job once",
  "describe cronjob tick",
  "describe role reader",
  "describe rolebinding reader-binding",
  "describe endpoints web",
  "describe pod nope",
  "describe nope",
  // kinds with describers of their own beyond the workloads
  "describe resourcequota -n qtest",
  "describe quota compute -n qtest",
  "describe quota besteffort -n qtest",
  "describe limitrange defaults -n qtest",
  "describe limits -n qtest",
  "describe namespace qtest",
  "describe networkpolicy api-policy -n dtest",
  "describe netpol deny-ingress -n dtest",
  "describe pdb -n dtest",
  "describe priorityclass high-priority",
  "describe pc system-node-critical",
  "describe ingressclass nginx",
  "describe storageclass fast",
  "describe sc standard",
  "describe endpointslices -l kubernetes.io/service-name=web",
  "describe endpointslice -n kube-system",
  "describe clusterrole view",
  "describe clusterrolebinding cluster-admin",
  "describe roles -n kube-system",
  "get cm -A",
  "get cm cluster-info -n kube-public -o yaml",
  "describe cm kubeadm-config -n kube-system",
  "get rolebindings -A -o wide",
  "describe rolebinding kubeadm:bootstrap-signer-clusterinfo -n kube-public",
  "get secrets -n kube-system --field-selector=type=bootstrap.kubernetes.io/token",
  "describe pv",
  "describe pv pv-affinity",
  "describe events --field-selector=involvedObject.name=solo,reason=Scheduled",
  "describe lease node01 -n kube-node-lease",
  "describe widget gadget",
  "describe wd",
  "describe crd widgets.example.com",
  "get ev --field-selector=reason=Scheduled -o name",
  "get quota -n qtest",
  "get limitrange -n qtest",
  "get netpol -n dtest",
  "get pdb -n dtest",
  "get ingressclass",
  "get widgets",
  "get wd gadget -o yaml",
  // more kinds
  "get ds",
  "get daemonsets -o wide",
  "describe ds logger",
  "get sts",
  "describe statefulset db",
  "get pvc data",
  "describe pvc data",
  "get hpa",
  "describe hpa web",
  "get ing",
  "get ingress web-ing -o yaml",
  "describe ingress web-ing",
  "get pods --sort-by=.metadata.name -o name",
  "get pods -l app=logger -o custom-columns=NODE:.spec.nodeName --no-headers --sort-by=.spec.nodeName",
  "rollout history daemonset/logger",
  "rollout status statefulset/db",
  "rollout status ds/logger",
  "explain deployment.spec.replicas",
  "top pod solo",
  // lists over 12 items with ties, sorted by kubectl with sort.Sort (Go's pdqsort)
  "describe pod ties -n etest",
  "events -n etest",
  "get events -n etest --sort-by=.lastTimestamp",
  "get events -n etest --sort-by=.lastTimestamp -o custom-columns=REASON:.reason,LAST:.lastTimestamp",
  "get pods -A --sort-by=.status.podIP -o custom-columns=NAME:.metadata.name,IP:.status.podIP",
  "get pods -A -o wide --sort-by=.spec.nodeName",
  "top pods -A --sort-by=memory",
  "top pods -n kube-system --sum",
  "top pods -A --sum --no-headers",
  "top node nope",
  "top pods -A --sort-by=cpu --containers",
  "get ep web -o yaml",
  // an aggregated API answering without a Table: kubectl's NAME/AGE table
  "get nodes.metrics.k8s.io",
  "get pods.metrics.k8s.io -A --no-headers",
  // discovery and info
  "api-resources",
  "api-resources --namespaced=false",
  "api-resources --api-group=apps",
  "api-resources -o name",
  "api-resources -o wide",
  "api-resources --verbs=list --namespaced=true -o name",
  "api-versions",
  "cluster-info",
  "cluster-info dump",
  "cluster-info dump -o name",
  "cluster-info dump --help",
  "version --client",
  // help texts (kubectl 1.32's own, mirrored in terminal/kubectl/help/helpTexts.json)
  "--help",
  "get -h",
  "help",
  "help get",
  "help create deployment",
  "help help",
  "help nope",
  "create deployment --help",
  "rollout status -h",
  "logs --help",
  "config set-context -h",
  "config view",
  "config view --minify",
  "config view --flatten",
  "config view --flatten --minify -o json",
  "config view -o json",
  "config get-contexts",
  "config current-context",
  "config get-clusters",
  "config get-users",
  "config view -o jsonpath={.contexts[0].name}",
  "auth can-i get pods",
  "auth can-i create deployments --all-namespaces",
  "auth can-i '*' '*'",
  "logs solo",
  "logs solo --tail=1",
  "logs pod/solo -c solo",
  "logs deploy/web --tail=0",
  "logs nope",
  "logs solo -c nope",
  "logs",
  "exec solo -- echo hello",
  "exec solo -- sh -c 'exit 3'",
  "exec solo echo hi",
  "exec",
  "rollout history deployment/web",
  "rollout status deployment web",
  "rollout status deploy/nope",
  "events --for pod/solo --types=Normal -o name",
  "top pods",
  "top nodes",
  "explain pods --recursive",
  "explain pods.spec.restartPolicy",
  "wait --for=condition=Ready pod/solo --timeout=10s",
  "wait --for=jsonpath={.status.phase}=Running pod/solo --timeout=10s",
  // logs, exec, raw and server dry runs
  "logs -f job/once",
  "logs job/once --timestamps",
  "logs solo -p",
  "logs solo --since=1h --tail=2",
  "logs -l app=solo --tail=1",
  "logs solo --all-containers --tail=1",
  "logs deploy/nope",
  "exec solo -c solo -- echo in-container",
  "exec solo -c nope -- echo hi",
  "exec nope -- echo hi",
  "get --raw /api/v1/namespaces/default",
  "get --raw /version",
  "get --raw /readyz",
  "get --raw /api/v1/namespaces/nope",
  "create deployment d --image=nginx --dry-run=server -o yaml",
  "create configmap c --from-literal=a=1 --dry-run=server -o name",
  "run p --image=nginx --dry-run=server -o jsonpath={.spec.containers[0].image}",
  "scale deployment web --replicas=3 --dry-run=server",
  "delete deployment web --dry-run=server",
  "label pod solo extra=1 --dry-run=server -o name",
  "config get-contexts kubernetes-admin@kubelab",
  "config get-contexts nope",
  "config use-context nope",
  "config current-context extra",
  "auth can-i list secrets -n kube-system",
  "auth can-i get pods --as=system:serviceaccount:default:robot",
  "auth can-i get deployments.apps --as=system:serviceaccount:default:robot",
  "auth can-i delete pods --as=system:serviceaccount:default:robot",
  "auth can-i list secrets --as=jane --as-group=dev",
  "auth can-i get /healthz --as=jane",
  "auth can-i get /metrics --as=jane",
  "auth can-i --list",
  "auth can-i --list --as=system:serviceaccount:default:robot",
  "auth can-i --list --no-headers --as=jane -n dtest",
  "auth can-i --list -q",
  "auth can-i get pods --no-headers",
  "get secrets --as=system:serviceaccount:default:robot",
  "get pods --as=system:serviceaccount:default:robot -o name",
  "get pods --as-group=dev",
  "api-resources --api-group=nope",
  "explain deploy.spec.strategy",
  "explain deployments.apps.spec.replicas",
  "explain ingresses.networking.k8s.io",
  "explain nope",
  "explain pods.spec.nope",
  "events --for deployment/web --types=Normal -o name",
  "events --types=Bogus",
  // events -w: a watch from no resourceVersion, the existing events first in the server's order
  "events -w --request-timeout=1s -n etest",
  "events --watch --request-timeout=1s -n etest --no-headers --types=normal",
  "events -w --request-timeout=1s -n etest -o name",
  "events -w --request-timeout=1s --for pod/ties -n etest -o jsonpath='{.reason}{\"\\n\"}'",
  "events --watch-only",
  "events --for pod",
  "events --for pod/a/b",
  "events --for bogus/x",
  "top pod nope",
  "top node node01",
  "wait --for=condition=Ready pod/nope --timeout=1s",
  "wait --for=delete pod/nope --timeout=1s",
  "rollout history deployment/web --revision=1",
  "rollout history deployment/web --revision=9",
  "rollout undo deployment/web --to-revision=9 --dry-run=client",
  "rollout status deployment/web --watch=false",
  "rollout pause deployment/nope",
  "rollout bogus",
  "diff -f pod.yaml",
  "attach nope",
  "port-forward nope 8080:80",
  "port-forward pod/solo",
  "cp nope:/etc/hostname here",
  "cp",
  "drain nope",
  "drain",
  "cordon",
  "taint nodes node01",
  "taint nodes node01 a=b:Bogus",
  "edit",
  "replace",
  "patch deployment web",
  "patch deployment web -p {bad",
  "patch deployment web --type=bogus -p {}",
  "set image deployment/web",
  "set env deployment/web --list",
  "set env deployment/web --list --resolve",
  "set env deployment/web --list -c nope",
  "set env pods --all --list",
  "set env A=1 deployment/web",
  "set env --keys=a deployment/web",
  "set env deployment/web --list -o yaml",
  "set env deployment/web 1X=2",
  "set env deployment/web -e FOO",
  "set env deployment/web A- A=1",
  "set env deployments --all -l app=web A=1",
  "set env",
  "set env deployment/web --from=configmap/nope",
  "set resources deployment web --limits=cpu=bogus --dry-run=client",
  "autoscale deployment web",
  "expose deployment nope --port=80",
  "expose pod other",
  "run p",
  "create deployment",
  "create secret generic",
  "create namespace",
  "create service clusterip s --tcp=bogus --dry-run=client",
  "create cronjob c --image=busybox --schedule=bogus --dry-run=client",
  "create job",
  "create bogus x",
  "delete pods",
  "delete pod nope",
  "delete pod nope --ignore-not-found",
  "label pod solo",
  "label pod nope a=b",
  "annotate pod solo",
  "scale deployment web --replicas=-1",
  "scale --replicas=2",
  // output errors
  "get pods -o jsonpath={.items[0}",
  // jsonpath as client-go parses and runs it: @ outside filters, unions, bounds, comparisons, the debug dump
  "get nodes -o jsonpath='{range .items[*]}{@.metadata.name}:{range @.status.conditions[*]}{@.type}={@.status};{end}{end}'",
  "get pod solo -o jsonpath='{@.metadata.name}'",
  "get pods -o jsonpath='{.items[0,1].metadata.name}'",
  "get pods -l app=nope -o jsonpath='{.items[0].metadata.name}'",
  "get pods -o jsonpath='{.items[0:100].metadata.name}'",
  "get pods -o jsonpath='{.items[5:2].metadata.name}'",
  "get deploy -o jsonpath='{.items[?(@.spec.replicas==\"2\")].metadata.name}'",
  "get deploy -o jsonpath='{.items[?(@.spec.replicas>1.5)].metadata.name}'",
  "get pods -o jsonpath='{.items[?(@.metadata.name<\"solo\")].metadata.name}'",
  "get pods -o jsonpath='{.items[?(@.metadata.name==solo)].metadata.name}'",
  "get pods -o jsonpath='{.items[?(@.spec.containers[*].image==\"nginx\")].metadata.name}'",
  "get pods -o jsonpath='{.items[?(@.x==)]}'",
  'get pods -o jsonpath=\'{.items[?(@.a=="x" && @.b=="y")].metadata.name}\'',
  "get pod solo -o jsonpath='{.metadata.labels[\"app\"]}'",
  "get pods -o jsonpath='{range .items[*]}{.metadata.name}'",
  "get pods -o jsonpath='{.items[*].metadata.name}{end}'",
  "get pods -o jsonpath='{.items[*'",
  "get pods -o jsonpath='{.items[0].metadata.nope}' --allow-missing-template-keys=false",
  "get pods -o jsonpath-as-json='{range .items[*]}{.metadata.name}{end}'",
  "get pod solo -o jsonpath={.metadata.nope}",
  "get pods -o jsonpath-as-json={.items[0].metadata.name}",
  "get pods -o custom-columns=BAD",
  "get pods -o custom-columns=NAME:.metadata.name --sort-by=.metadata.name --no-headers",
  "get pods --sort-by=.nope",
  "get widgets -n stest --sort-by=.spec.count",
  "get widgets -n stest --sort-by=spec.label -o name",
  "get widgets -n stest --sort-by=.spec.label",
  "get widgets -n stest --sort-by=.spec.flag",
  "get widgets -n stest --sort-by=.spec.flag -o name",
  "get widgets -n stest --sort-by=.spec.parts -o custom-columns=NAME:.metadata.name",
  "get widgets -n stest --sort-by=.spec.sizes",
  "get widgets -n stest --sort-by=.spec.ratio -o name",
  "get widgets -n stest --sort-by={.spec.mixed}",
  "get widgets -n stest --sort-by=.spec.nope -o name",
  "get widget w1 -n stest --sort-by=.spec.nope",
  "get widget w1 w2 -n stest --sort-by=.spec.count",
  "get widgets,configmaps -n stest --sort-by=.metadata.name",
  "get pods --field-selector=spec.bogus=x",
  "get pods -l 'bad selector'",
  "get pods --output=yaml --show-managed-fields=false -l app=solo",
  "get pod solo -o go-template={{.metadata.name}}",
  "get pod solo -o template --template={{.spec.nodeName}}",
  // go-template: text/template's builtins and kubectl's functions, Go's fmt verbs, its errors
  'get deploy -o \'go-template={{range .items}}{{printf "%-10s %3d %v|%q" .metadata.name .spec.replicas .metadata.labels .kind}}{{"\\n"}}{{end}}\'',
  'get pod solo -o \'go-template={{printf "%5.1f|%s|%d|%x|%08.3f|%+d|%T|%T" .spec.priority 3 "a" "hi" 3.14159 7 .spec .metadata.name}}\'',
  'get pod solo -o \'go-template={{print 1 2 "a" "b" 3}} {{println .metadata.name 1}}{{printf "%s"}} {{printf "%s" 1 2}}\'',
  "get pod solo -o 'go-template={{len .spec.containers}} {{index .metadata.labels \"tier\"}} {{index .spec.containers 0 | len}} {{slice .metadata.name 1 3}} {{len .metadata.name}}'",
  'get pod solo -o \'go-template={{eq .kind "Pod"}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1.5 2.5}} {{eq .spec.priority 0}} {{eq .metadata.nope "x"}}\'',
  "get pod solo -o 'go-template={{and 1 0 2}} {{or 0 \"\" .kind}} {{not .metadata.nope}} {{if and .kind (not .nope)}}yes{{else if .kind}}no{{end}}'",
  "get pods -o 'go-template={{range $i, $p := .items}}{{if $i}},{{end}}{{$p.metadata.name}}{{else}}none{{end}}'",
  "get configmap settings -o 'go-template={{range $k, $v := .data}}{{$k}}={{$v}};{{end}} {{with .data}}{{.color}}{{else}}-{{end}} {{with .nope}}x{{else}}none{{end}}'",
  'get secret creds -o \'go-template={{.data.pass | base64decode}} {{index .data "user" | base64decode}} {{exists . "data" "pass"}} {{exists . "data" "x"}}\'',
  "get pod solo -o 'go-template={{- range .spec.containers -}} {{ .name }} {{- end -}} {{/* comment */}} {{$n := .metadata.name}}{{$n}} {{$}}'",
  'get pod solo -o \'go-template={{define "c"}}[{{.name}}]{{end}}{{range .spec.containers}}{{template "c" .}}{{end}}{{block "b" .kind}}{{.}}{{end}}\'',
  "get pod solo -o 'go-template={{1000000}} {{1e6}} {{3.0}} {{123456789.0}} {{0.00001}} {{0x10}} {{printf \"%e|%g|%G|%.3g\" 1234.5678 0.000012345 1e-7 1234567.0}}'",
  'get pod solo -o \'go-template={{html "<a&b>"}} {{urlquery "a b&c"}} {{js "it is <x>"}} {{printf "%#v|%v" .metadata.labels .spec.tolerations}}\'',
  "get pod solo -o 'go-template={{eq .spec.priority 0.0}}'",
  "get pod solo -o 'go-template={{.metadata.name}} {{len .metadata.nope}}'",
  "get pod solo -o 'go-template={{index .spec.containers 5}}'",
  "get pod solo -o 'go-template={{range .metadata.name}}x{{end}}'",
  "get pod solo -o 'go-template={{.metadata.creationTimestamp.x}}'",
  "get secret creds -o 'go-template={{\"!!!\" | base64decode}}'",
  "get pod solo -o 'go-template={{foo .x}}'",
  "get pod solo -o 'go-template={{$x}}'",
  "get pod solo -o 'go-template={{range .items}}'",
  "get pod solo -o 'go-template={{if}}x{{end}}'",
  "get pod solo -o 'go-template={{.metadata.name'",
  "get pod solo -o 'go-template={{break}}'",
  "get pod solo -o wide --show-labels",
  "get pods -w --request-timeout=1s -l app=solo",
  // taint removals: key[=value][:effect]-, the value dropped when an effect is named
  "taint nodes node01 dedicated=gpu:NoSchedule- --dry-run=server",
  "taint nodes node01 dedicated=gpu- --dry-run=server",
  "taint nodes node01 dedicated- --dry-run=server",
  // a named object in a namespace that does not exist: the builder reports the namespace
  "get svc nope -n no-such-namespace",
  "get svc nope other -n no-such-namespace -o yaml",
  "get svc nope -n no-such-namespace --ignore-not-found",
  "describe svc nope -n no-such-namespace",
  "label svc nope a=b -n no-such-namespace",
  "logs nope -n no-such-namespace",
  "rollout status deployment/nope -n no-such-namespace",
  "scale deployment nope --replicas=1 -n no-such-namespace",
  "scale deployment nope other --replicas=1",
  "get deployment nope -n kube-system",
  // --validate: the fieldValidation directive sent, and kubectl's "error when …" around the answer
  "create -f typo.yaml --dry-run=server",
  "create -f typo.yaml --dry-run=server --validate=warn",
  "create -f typo.yaml --dry-run=server --validate=false",
  "create -f typo.yaml --validate=bogus",
  "apply -f typo.yaml --dry-run=server",
  "apply -f typo.yaml --dry-run=server --validate=ignore",
  "apply -f typo.yaml --dry-run=server --server-side",
  "replace -f typo.yaml --dry-run=server",
  "replace -f typo.yaml --dry-run=server --validate=warn",
  "create -f dup-keys.yaml --dry-run=server -o jsonpath={.data.a}",
  // templates in files (-o …-file=NAME, or the bare format and --template=NAME)
  "get pods -l app=solo -o custom-columns-file=columns.txt",
  "get pod solo -o custom-columns-file=columns.txt --no-headers",
  "get pod solo -o custom-columns=NAME:.metadata.name --no-headers",
  "get pods -l app=solo -o custom-columns-file=columns-short.txt",
  "get pods -l app=solo -o go-template-file=names.tmpl",
  "get pods -l app=solo -o templatefile --template=names.tmpl",
  "get pods -l app=solo -o jsonpath-file=names.jsonpath",
  "get pods -l app=solo -o jsonpath --template={.items[0].metadata.name}",
  "get pods -o go-template-file=nope.tmpl",
  "get pods -o jsonpath-file",
  "get pods -o custom-columns-file=nope.txt",
  "get pods -o custom-columns-file",
  "create deployment x --image=nginx --dry-run=client -o custom-columns-file=columns.txt",
  "create deployment x --image=nginx --dry-run=client -o go-template-file=names.tmpl",
  "get cs",
  "get pods --chunk-size=1",
  "version -o json --client",
  "version --output=yaml --client",
  "version -o bogus",
  // errors and usage
  "explain pods spec",
  "api-resources extra",
  "api-versions extra",
  "version extra",
  "config view extra",
  "get --raw /api extra",
  "get pods --raw /api",
  "top node a b",
  "top pods --sort-by=bogus",
  "api-resources --sort-by=bogus",
  "get pods --show-labels -o name",
  "get pod solo --output-watch-events",
  "get --raw /api -o json",
  "get --raw api/v1",
  "gett pods",
  "describ pod solo",
  "lgos solo",
  "rollout",
  "config",
  "config bogus",
  "auth",
  "get pods --namespace",
  "--bogus",
  "get pods --v=bogus",
  "get pods -o",
  "xyz",
  "get --foo",
  "get pods -x",
  "get pods -n",
  "get",
  "delete",
  "describe",
  "create",
  "scale deployment web",
  "rollout undo deployment/nope",
  "label pod solo env=other",
  "create deployment web --image=nginx",
  "create ns dtest",
  "apply -f nope.yaml",
  "run",
  "expose pod other --port=80 --dry-run=client -o yaml",
  "create deployment d --image=nginx --dry-run=client -o yaml",
  "create deployment d --image=nginx --replicas=3 --port=8080 --dry-run=client -o json",
  "run p --image=nginx --port=80 --env=A=B --labels=x=y --dry-run=client -o yaml",
  "run p --image=busybox --restart=Never --dry-run=client -o yaml -- sleep 10",
  "run p --image=busybox --restart=Never --command --dry-run=client -o yaml -- sleep 10",
  "create job j --image=busybox --dry-run=client -o yaml -- echo hi",
  "create cronjob c --image=busybox --schedule='*/1 * * * *' --dry-run=client -o yaml -- date",
  "create configmap c --from-literal=a=1 --from-literal=b=two --dry-run=client -o yaml",
  "create secret generic s --from-literal=a=1 --dry-run=client -o yaml",
  "create service clusterip s --tcp=80:8080 --dry-run=client -o yaml",
  "create service nodeport s --tcp=80:80 --node-port=30090 --dry-run=client -o yaml",
  "create role r --verb=get --resource=pods --dry-run=client -o yaml",
  "create clusterrole cr --verb=get,list --resource=nodes,deployments.apps --dry-run=client -o yaml",
  "create rolebinding rb --clusterrole=view --user=alice --dry-run=client -o yaml",
  "create sa s --dry-run=client -o yaml",
  "create ns n --dry-run=client -o yaml",
  "create quota q --hard=pods=5,cpu=2 --dry-run=client -o yaml",
  "create ingress i --rule=example.com/api*=web:80 --dry-run=client -o yaml",
  // create_ingress.go: one rule per host with its paths gathered, TLS entries per secret
  "create ingress i --rule=foo.com/=svc1:8080 --rule=foo.com/admin=svc2:80 --rule=bar.com/*=svc3:http --dry-run=client -o yaml",
  "create ingress i --class=nginx --default-backend=defsvc:80 --annotation=c=d --annotation=a=b --rule=foo.com/=svc:80,tls=my-cert --rule=foo.com/x=svc:80,tls=my-cert --rule=bar.com/=s:80,tls --dry-run=client -o yaml",
  "create ingress i --rule=/path=svc:80,tls --rule=a.com/=s:80,tls --rule=b.com/=s:80,tls --rule=c.com/=s:80,tls=x --rule=d.com/=s:80,tls=x --dry-run=client -o json",
  "create ingress i --default-backend=defsvc:http --dry-run=client -o yaml",
  "create ingress i --rule=a.com/=s:80junk --rule=a.com/b=s:0 --dry-run=client -o json",
  "create ingress i",
  "create ingress i --rule=foo",
  "create ingress i --rule=foo.com/=s:80 --annotation=x",
  "create ingress i --default-backend=a:b:c",
  "apply -f pod.yaml --dry-run=client -o yaml",
  "scale deployment web --replicas=2 --dry-run=client",
  "delete pod solo --dry-run=client",
  "label pod solo extra=1 --dry-run=client",
];

/** Commands that change the cluster; `{n}` names the side's objects. Run in order. */
export const mutating: string[] = [
  // certificates: create, describe, approve/deny and their refusals
  "create -f csr.yaml",
  "get csr {n}-csr -o jsonpath={.spec.username}{.spec.signerName}",
  "describe csr {n}-csr",
  "certificate approve {n}-csr",
  "certificate approve {n}-csr -o name",
  "certificate approve -f csr.yaml",
  "certificate deny {n}-csr",
  "certificate approve {n}-csr {n}-nope",
  "certificate deny",
  "get csr {n}-csr -o jsonpath={.status.conditions[0].reason}",
  "create deployment {n}-d --image=nginx",
  "create deployment {n}-d2 --image=nginx --replicas=2 --port=80",
  "create namespace {n}-ns",
  "create configmap {n}-cm --from-literal=a=b",
  "create secret generic {n}-secret --from-literal=x=y",
  "create serviceaccount {n}-sa",
  "create service clusterip {n}-svc --tcp=80:80",
  "create job {n}-job --image=busybox -- echo hi",
  // A second create fails, and each generator words it its own way (create_*.go)
  "create deployment {n}-d --image=nginx",
  "create namespace {n}-ns",
  "create configmap {n}-cm --from-literal=a=b",
  "create secret generic {n}-secret --from-literal=x=y",
  "create serviceaccount {n}-sa",
  "create service clusterip {n}-svc --tcp=80:80",
  "create service nodeport {n}-svc --tcp=80:80",
  "create job {n}-job --image=busybox -- echo hi",
  "create quota {n}-q --hard=services.loadbalancers=50",
  "create quota {n}-q --hard=services.loadbalancers=50",
  "create pdb {n}-pdb --selector=app={n} --min-available=1",
  "create pdb {n}-pdb --selector=app={n} --min-available=1",
  "create role {n}-role --verb=get --resource=pods",
  "create role {n}-role --verb=get --resource=pods",
  "create rolebinding {n}-rb --role={n}-role --user=alice",
  "create rolebinding {n}-rb --role={n}-role --user=alice",
  // …and so does the server's Invalid, which kubectl rewords only where the generator does not wrap it
  "create deployment {n}-Bad --image=nginx",
  "create job {n}-Bad --image=busybox",
  "create namespace {n}-Bad",
  "create configmap {n}-cm2 -n no-such-namespace --from-literal=a=b",
  "create service nodeport {n}-np0 --tcp=80:80 --node-port=5",
  "run {n}-pod --image=nginx",
  "run {n}-pod2 --image=nginx --port=80 --expose",
  "expose deployment {n}-d --port=80 --name={n}-exposed",
  "expose deployment {n}-d2 --port=8080 --target-port=80 --type=NodePort --name={n}-np",
  "scale deployment {n}-d --replicas=3",
  "scale deploy/{n}-d --replicas=1",
  "label deployment {n}-d team=blue",
  "label deployment {n}-d team=green",
  "label deployment {n}-d team=green --overwrite",
  "label deployment {n}-d team-",
  // updateDataChangeMsg: "unlabeled" only when the object got shorter without --overwrite
  "label deployment {n}-d q=1",
  "label deployment {n}-d q- --overwrite",
  "label deployment {n}-d q=1 r-",
  "label deployment {n}-d q-",
  "label deployment {n}-d q-",
  "annotate deployment {n}-d note=hello",
  "annotate deployment {n}-d note-",
  "set image deployment/{n}-d nginx=nginx:1.27",
  "set image deployment/{n}-d nope=nginx",
  "set env deployment/{n}-d MODE=test",
  // set env --from a ConfigMap or Secret of one key (kubectl ranges over the data map, in random order)
  "create configmap {n}-envcm --from-literal=db.host=mysql",
  "create secret generic {n}-envsec --from-literal=PASSWORD=s3cr3t",
  "set env deployment/{n}-d --from=configmap/{n}-envcm --prefix=APP_",
  "set env deployment/{n}-d --from=secret/{n}-envsec --keys=PASSWORD",
  "set env deployment/{n}-d --from=deployment/{n}-d",
  "set env deployment/{n}-d -e B=2 C=3",
  "set env deployment/{n}-d --list",
  "set env deployment/{n}-d --list --resolve",
  "set env deployment/{n}-d MODE=prod --overwrite=false",
  "set env deployment/{n}-d MODE=test --overwrite=false",
  "set env deployment/{n}-d C- B-",
  "set env deployment/{n}-d",
  "set env deployment/{n}-d -c nope X=1",
  "set env deployment/{n}-d --list --resolve X=1",
  "set resources deployment {n}-d --limits=cpu=200m,memory=256Mi",
  "rollout history deployment/{n}-d",
  "rollout restart deployment/{n}-d",
  "rollout pause deployment/{n}-d",
  "rollout pause deployment/{n}-d",
  "rollout restart deployment/{n}-d",
  "rollout restart pod/{n}-pod deployment/{n}-d2",
  "rollout pause daemonset/logger",
  "rollout resume deployment/{n}-d",
  "rollout resume deployment/{n}-d",
  "rollout undo deployment/{n}-d",
  // --timeout ends the watch of a rollout that cannot finish
  "create deployment {n}-stuck --image=nginx:1.25",
  "wait --for=condition=Available deployment/{n}-stuck --timeout=60s",
  "set image deployment/{n}-stuck nginx=nginx:doesnotexist",
  "rollout status deployment/{n}-stuck --timeout=2s",
  "rollout status deployment/{n}-stuck --timeout=abc",
  // the deprecated --record is accepted with pflag's notice (set env takes none)
  "scale deployment {n}-stuck --replicas=1 --record",
  "annotate deployment {n}-stuck note=x --record",
  "set env deployment/{n}-stuck A=1 --record",
  "delete deployment {n}-stuck",
  // apply's patch refused: the patch and the object it was for, around the server's answer
  "apply -f typo-base.yaml",
  "apply -f typo.yaml",
  "apply -f typo.yaml --validate=warn --dry-run=server",
  "replace -f typo.yaml --validate=ignore --dry-run=server",
  "delete -f typo-base.yaml",
  // --record writes the command line (binary, words as typed, then each flag as --name=value)
  "create deployment {n}-rec --image=nginx:1.25",
  "set image deployment/{n}-rec nginx=nginx:1.26 --record",
  "get deployment {n}-rec -o jsonpath='{.metadata.annotations.kubernetes\\.io/change-cause}'",
  "scale deployment {n}-rec --replicas=2 --record -n default",
  "get deployment {n}-rec -o jsonpath='{.metadata.annotations.kubernetes\\.io/change-cause}'",
  "label deployment {n}-rec tier=web --record=true",
  "get deployment {n}-rec -o jsonpath='{.metadata.annotations.kubernetes\\.io/change-cause}'",
  'patch deployment {n}-rec -p {"spec":{"minReadySeconds":1}} --record',
  "get deployment {n}-rec -o jsonpath='{.metadata.annotations.kubernetes\\.io/change-cause}'",
  "annotate deployment {n}-rec --record note=x --dry-run=client -o jsonpath='{.metadata.annotations}'",
  "set image deployment/{n}-rec nginx=nginx:1.27 --record --dry-run=client -o jsonpath='{.metadata.annotations}'",
  "run {n}-recpod --image=nginx --record -l app=rec --dry-run=client -o jsonpath='{.metadata.annotations}'",
  "delete deployment {n}-rec",
  'patch deployment {n}-d -p {"spec":{"replicas":2}}',
  'patch deployment {n}-d --type=merge -p {"metadata":{"labels":{"patched":"yes"}}}',
  'patch deployment {n}-d --type=json -p [{"op":"replace","path":"/spec/replicas","value":1}]',
  // patch sends no fieldValidation: the server warns of an unknown field and drops it
  'patch deployment {n}-d -p {"spec":{"bogus":1}}',
  "autoscale deployment {n}-d --min=1 --max=3 --cpu-percent=50",
  "apply -f pod.yaml",
  "apply -f pod.yaml",
  "apply -f deploy.yaml",
  "apply -f deploy-v2.yaml",
  "get deploy {n}-deploy -o jsonpath={.spec.replicas}{.spec.template.spec.containers[0].image}",
  "apply -f multi.yaml",
  "apply -f multi.yaml -o name",
  "apply -f bad.yaml",
  "apply -f deploy.yaml --server-side",
  "create -f multi.yaml",
  "diff -f deploy.yaml",
  "taint nodes {node} {n}=yes:NoSchedule",
  "taint nodes {node} {n}=yes:NoSchedule",
  "taint nodes {node} {n}:NoSchedule-",
  "cordon {node}",
  "cordon {node}",
  "uncordon {node}",
  "delete configmap {n}-cm",
  "delete configmap {n}-cm",
  "delete configmap {n}-cm --ignore-not-found",
  "delete secret {n}-secret --wait=false",
  "delete -f multi.yaml",
  "delete pod {n}-pod --grace-period=0 --force",
  "delete deployment {n}-d2",
  "delete svc {n}-np {n}-exposed",
  "delete namespace {n}-ns --wait=false",
  "delete sa -l nothing=here",
  // controllers recreate these at once; delete waits only for the object it deleted (by uid)
  "create namespace {n}-rc",
  "wait --for=create configmap/kube-root-ca.crt -n {n}-rc --timeout=30s",
  "delete configmap kube-root-ca.crt -n {n}-rc",
  "wait --for=create configmap/kube-root-ca.crt -n {n}-rc --timeout=30s",
  "delete configmap --all -n {n}-rc",
  "wait --for=create serviceaccount/default -n {n}-rc --timeout=30s",
  "delete serviceaccount default -n {n}-rc",
  "delete namespace {n}-rc --wait=false",
  "create cronjob {n}-cj --image=busybox --schedule='*/10 * * * *' -- date",
  "create role {n}-role --verb=get,list --resource=pods,configmaps",
  "create rolebinding {n}-rb --role={n}-role --user=alice",
  "create clusterrole {n}-cr --verb=get --resource=nodes",
  "create clusterrolebinding {n}-crb --clusterrole={n}-cr --group=ops",
  "create quota {n}-quota --hard=pods=10",
  "create pdb {n}-pdb --selector=app={n} --min-available=1",
  "create priorityclass {n}-pc --value=1000 --description=test",
  "create ingress {n}-ing --rule=example.com/=web:80",
  "create ingress {n}-ing2 --class=nginx --rule=foo.com/=web:80,tls=cert --rule=foo.com/api*=web:http --annotation=team=a -o yaml",
  "apply -f app",
  "apply -f app",
  "apply -R -f app --dry-run=server",
  "apply -f - < multi.yaml",
  "create -f - < multi.yaml",
  "replace -f deploy.yaml",
  "replace --force -f multi.yaml",
  "delete -f app",
  "delete configmap {n}-cm {n}-svc",
  "delete -f - < multi.yaml",
  "delete cronjob,role,rolebinding {n}-cj",
  "delete role {n}-role",
  "delete rolebinding {n}-rb",
  "delete clusterrole,clusterrolebinding -l nothing=here",
  "delete clusterrole {n}-cr",
  "delete clusterrolebinding {n}-crb",
  "delete quota {n}-quota",
  "delete pdb {n}-pdb",
  "delete priorityclass {n}-pc",
  "delete ingress {n}-ing",
  "config set-context --current --namespace=default",
  "config use-context kubernetes-admin@kubelab",
  // The pod runs long enough to be attached to (a pod that ends first races kubectl's attach).
  "run {n}-once --image=busybox --restart=Never --rm -i -- sh -c 'sleep 2; echo hello'",
  "run {n}-in --image=busybox --restart=Never --rm -i --quiet -- sh -c 'sleep 2; echo quiet' < hello.txt",
  // edit through an editor program, run as kubectl runs $KUBE_EDITOR / $EDITOR
  "create deployment {n}-ed --image=nginx",
  "KUBE_EDITOR=./edit-replicas.sh edit deployment {n}-ed",
  "get deployment {n}-ed -o jsonpath={.spec.replicas}",
  "EDITOR=./edit-replicas.sh edit deploy/{n}-ed",
  "KUBE_EDITOR=./edit-image.sh edit deployment {n}-ed -o jsonpath={.spec.template.spec.containers[0].image}",
  "KUBE_EDITOR=./edit-invalid.sh edit deployment {n}-ed",
  "KUBE_EDITOR=./edit-yaml.sh edit deployment {n}-ed",
  "KUBE_EDITOR=./edit-unknown.sh edit deployment {n}-ed",
  "KUBE_EDITOR=./edit-rename.sh edit deployment {n}-ed",
  "KUBE_EDITOR=./edit-unknown.sh edit deployment {n}-ed --validate=warn",
  "KUBE_EDITOR=true edit deployment {n}-ed --validate=bogus",
  "create configmap {n}-edcm --from-literal=a=1",
  "KUBE_EDITOR=./edit-cm.sh edit configmap {n}-edcm -o yaml",
  "KUBE_EDITOR=true edit configmap/{n}-edcm",
  "delete deployment {n}-ed",
  "delete configmap {n}-edcm",
  // the "Defaulted container" notice counts and names init containers
  "apply -f init-pod.yaml",
  "wait --for=condition=Ready pod/{n}-init --timeout=60s",
  "logs {n}-init",
  "exec {n}-init -- echo hi",
  "delete pod {n}-init --wait=false",
  // attach to a running pod (both sides at once: the pods end on their own clock), then to a finished one
  "run {n}-att --image=busybox --restart=Never -- sh -c 'sleep 10; echo done; echo oops >&2'",
  "wait --for=condition=Ready pod/{n}-att --timeout=60s",
  "& attach {n}-att",
  "wait --for=jsonpath={.status.phase}=Succeeded pod/{n}-att --timeout=60s",
  "attach {n}-att",
  "delete pod {n}-att",
  // port-forward: started, fetched through, stopped with Ctrl-C
  "run {n}-web --image=nginx --port=80",
  "expose pod {n}-web --port=8080 --target-port=80",
  "wait --for=condition=Ready pod/{n}-web --timeout=60s",
  "port-forward pod/{n}-web :80",
  "port-forward svc/{n}-web :8080",
  "port-forward {n}-web 0:80 --address=127.0.0.1",
  "port-forward svc/{n}-web :9999",
  "delete pod,service {n}-web",
  "run {n}-job --image=busybox --restart=OnFailure -- echo x",
  "delete job {n}-job",
  "delete deployment {n}-deploy {n}-d --wait=true",
  // --local works on the file only: the live object keeps its labels, annotations and env
  "apply -f local.yaml",
  "label -f local.yaml --local newl=1",
  "label -f local.yaml --local newl=1 -o yaml",
  "label -f local.yaml --local tier- --dry-run=client",
  "annotate -f local.yaml --local a=1 -o json",
  "set env -f local.yaml --local LOCALTEST=1 -o name",
  "set env -f local.yaml --local LOCALTEST=1",
  "set resources -f local.yaml --local --limits=cpu=1",
  "set image -f local.yaml --local web=nginx:1.27 -o name",
  "set image deployment/{n}-local web=nginx:1.27 --local -o yaml",
  "set resources deployment/{n}-local --limits=cpu=1 --local",
  "set env deployment/{n}-local B=1 --local",
  "label deployment {n}-local a=b --local",
  "annotate deployment/{n}-local a=b --local",
  "get deployment {n}-local -o jsonpath={.metadata.labels}{.metadata.annotations.a}{.spec.template.spec.containers[0]}",
  // a forced replace deletes and recreates, so it refuses to be a dry run
  "replace --force -f local.yaml --dry-run=client",
  "replace --force -f local.yaml --dry-run=server",
  "replace --force -f local.yaml --dry-run=none -o name",
  // a client dry run prints the changed object; an unchanged value is 'not labeled' but still 'annotated'
  "label deployment {n}-local x=1 --dry-run=client -o jsonpath={.metadata.labels}",
  "annotate deployment {n}-local z=1 --dry-run=client -o jsonpath={.metadata.annotations.z}",
  "label deployment {n}-local tier=web",
  "label deployment {n}-local tier=web -o name",
  "annotate deployment {n}-local note=one --overwrite",
  "annotate deployment {n}-local nope-",
  // setting the current value sends no patch and prints nothing (set serviceaccount always prints)
  "set image deployment/{n}-local web=nginx:1.25",
  "set image deployment/{n}-local web=nginx:1.25 -o name",
  "set env deployment/{n}-local A=1",
  "set resources deployment/{n}-local --limits=cpu=1",
  "set resources deployment/{n}-local --limits=cpu=1",
  "set serviceaccount deployment/{n}-local default",
  "set serviceaccount deployment/{n}-local default",
  "delete deployment {n}-local",
  // kubectl config writes the file as clientcmd does (sorted, unknown fields dropped, paths relative to it)
  "config set-credentials {n}-jane --kubeconfig=cfg/kc --client-certificate=cfg/jane.crt --client-key=cfg/jane.key --embed-certs",
  "config set-credentials {n}-bob --kubeconfig=cfg/kc --client-certificate=cfg/jane.crt --client-key=cfg/jane.key",
  "config set-credentials {n}-bob --kubeconfig=cfg/kc --token=t0ken",
  "config set-credentials {n}-bob --kubeconfig=cfg/kc --username=bob --token=t",
  "config set-credentials {n}-x --kubeconfig=cfg/kc --client-certificate=cfg/nope.crt --embed-certs",
  "config set-credentials {n}-ex --kubeconfig=cfg/kc --exec-command=/usr/bin/plugin --exec-api-version=client.authentication.k8s.io/v1beta1 --exec-arg=a,b --exec-env=K=V",
  "config set-credentials --kubeconfig=cfg/kc {n}-y --auth-provider-arg=bad",
  "config set-cluster {n}-c --kubeconfig=cfg/kc --server=https://10.0.0.1:6443 --certificate-authority=cfg/jane.crt --embed-certs",
  "config set-cluster {n}-d --kubeconfig=cfg/kc --server=https://10.0.0.2:6443 --certificate-authority=cfg/jane.crt --tls-server-name=kubernetes",
  "config set-cluster {n}-d --kubeconfig=cfg/kc --insecure-skip-tls-verify",
  "config set-cluster --kubeconfig=cfg/kc {n}-e --insecure-skip-tls-verify --certificate-authority=cfg/jane.crt",
  "config set-context {n}-ctx --kubeconfig=cfg/kc --cluster={n}-c --user={n}-jane",
  "config set-context {n}-ctx --kubeconfig=cfg/kc --namespace=dev",
  "config set --kubeconfig=cfg/kc contexts.{n}-ctx.namespace kube-system",
  "config set --kubeconfig=cfg/kc clusters.{n}.dotted.server https://10.0.0.3",
  "config set --kubeconfig=cfg/kc users.{n}-bob.client-key-data aGVsbG8=",
  "config set --kubeconfig=cfg/kc x y",
  "config set --kubeconfig=cfg/kc clusters.lab.insecure-skip-tls-verify maybe",
  "config unset --kubeconfig=cfg/kc contexts.{n}-ctx.namespace",
  "config unset --kubeconfig=cfg/kc contexts.nope.cluster",
  "config delete-user --kubeconfig=cfg/kc {n}-x",
  "config delete-user --kubeconfig=cfg/kc {n}-bob",
  "config delete-cluster --kubeconfig=cfg/kc {n}-e",
  "config delete-cluster --kubeconfig=cfg/kc {n}-d",
  "config view --kubeconfig=cfg/kc --raw",
  "config view --kubeconfig=cfg/kc -o json",
  "config get-users --kubeconfig=cfg/kc",
];

// kubectl kustomize and -k (kustomizeCorpus.ts)
Object.assign(manifests, kustomizeManifests);
readOnly.push(...kustomizeReadOnly);
mutating.push(...kustomizeMutating);
// kubectl debug and proxy (debugCorpus.ts)
readOnly.push(...debugReadOnly);
mutating.push(...debugMutating);
