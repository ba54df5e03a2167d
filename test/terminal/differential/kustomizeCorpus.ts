/**
 * Kustomization trees for the differential corpus (`kubectl kustomize`, `-k`): written under
 * `kust/` in each side's folder like the other manifests. `{n}` appears only in names of the
 * trees the mutating cases apply, never in generated data, so hash suffixes agree between sides.
 */

const deployment = (name: string, extra = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: main
        image: nginx:1.25
${extra}`;

const service = (name: string) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app: ${name}
  ports:
  - port: 80
    targetPort: 8080
`;

export const kustomizeManifests: Record<string, string> = {
  // namespace, prefix, commonLabels (selectors too), images, a generated ConfigMap referenced by hash
  "kust/basic/kustomization.yaml": `resources:
- deploy.yaml
- service.yaml
namespace: shop
namePrefix: dev-
commonLabels:
  team: blue
images:
- name: nginx
  newTag: "1.27"
configMapGenerator:
- name: settings
  literals:
  - MODE=fast
  - ENABLED=true
  - RATIO=1.5
`,
  "kust/basic/deploy.yaml": deployment(
    "web",
    `        envFrom:
        - configMapRef:
            name: settings
`,
  ),
  "kust/basic/service.yaml": service("web"),

  // generators: files (own and renamed keys), env files, secrets and their types, options
  "kust/gen/kustomization.yml": `generatorOptions:
  labels:
    generated: "yes"
  annotations:
    note: from kustomize
configMapGenerator:
- name: files
  files:
  - app.properties
  - conf=nginx.conf
- name: env
  envs:
  - app.env
  options:
    disableNameSuffixHash: true
    labels:
      kind: env
- name: quoted
  literals:
  - 'A="double"'
  - "B='single'"
  - C=x=y
  - D=
  - E=01
  options:
    immutable: true
secretGenerator:
- name: creds
  literals:
  - username=admin
  - password=s3cr3t!
- name: tls
  type: kubernetes.io/tls
  files:
  - tls.crt
  - tls.key
resources:
- pod.yaml
`,
  "kust/gen/app.properties": "color=blue\nsize=10\n",
  "kust/gen/nginx.conf": "server {\n  listen 80;\n}\n",
  "kust/gen/app.env": '# settings\nLOG_LEVEL=debug\n\n  PORT=8080\nQUOTED="kept"\nEMPTY=\n',
  "kust/gen/tls.crt": "CERTIFICATE\n",
  "kust/gen/tls.key": "KEY\n",
  "kust/gen/pod.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: reader
spec:
  containers:
  - name: c
    image: busybox
    env:
    - name: USER
      valueFrom:
        secretKeyRef:
          name: creds
          key: username
    - name: COLOR
      valueFrom:
        configMapKeyRef:
          name: files
          key: app.properties
    envFrom:
    - configMapRef:
        name: env
  volumes:
  - name: conf
    configMap:
      name: files
  - name: certs
    secret:
      secretName: tls
  - name: all
    projected:
      sources:
      - configMap:
          name: quoted
      - secret:
          name: creds
`,

  // a base and an overlay: labels, annotations, replicas, every patch form, generator merge/replace
  "kust/base/kustomization.yaml": `resources:
- deploy.yaml
- service.yaml
- hpa.yaml
configMapGenerator:
- name: app-config
  literals:
  - LEVEL=info
  - SHARED=base
- name: replaced
  literals:
  - OLD=1
`,
  "kust/base/deploy.yaml": deployment(
    "api",
    `        volumeMounts:
        - name: config
          mountPath: /etc/app
      - name: sidecar
        image: busybox:1.36
        command: ["sleep", "3600"]
      volumes:
      - name: config
        configMap:
          name: app-config
      - name: other
        configMap:
          name: replaced
`,
  ),
  "kust/base/service.yaml": service("api"),
  "kust/base/hpa.yaml": `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: api
  minReplicas: 1
  maxReplicas: 5
`,
  "kust/overlay/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../base
namePrefix: prod-
nameSuffix: -v2
labels:
- pairs:
    env: prod
  includeSelectors: true
- pairs:
    tier: backend
  includeTemplates: true
- pairs:
    owner: ops
commonAnnotations:
  contact: ops@example.com
replicas:
- name: api
  count: 3
images:
- name: busybox
  newName: registry.example.com/tools/busybox
  digest: sha256:0123456789abcdef
configMapGenerator:
- name: app-config
  behavior: merge
  literals:
  - LEVEL=debug
  - EXTRA=overlay
- name: replaced
  behavior: replace
  literals:
  - NEW=2
patches:
- path: resources.yaml
- target:
    kind: Deployment
    labelSelector: app=api
  patch: |-
    - op: add
      path: /spec/template/spec/containers/0/args
      value: ["--verbose"]
- target:
    kind: Service
    name: api
  patch: |-
    apiVersion: v1
    kind: Service
    metadata:
      name: ignored
    spec:
      type: NodePort
patchesStrategicMerge:
- probe.yaml
- |-
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: api
  spec:
    template:
      spec:
        containers:
        - name: sidecar
          $patch: delete
patchesJson6902:
- target:
    group: autoscaling
    version: v2
    kind: HorizontalPodAutoscaler
    name: api
  path: hpa-patch.yaml
`,
  "kust/overlay/resources.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
      - name: main
        resources:
          limits:
            memory: 256Mi
`,
  "kust/overlay/probe.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
      - name: main
        readinessProbe:
          httpGet:
            path: /healthz
            port: 8080
`,
  "kust/overlay/hpa-patch.yaml": `- op: replace
  path: /spec/maxReplicas
  value: 10
`,

  // RBAC and namespaces: the Namespace object renamed, subjects in "default" moved, references renamed
  "kust/rbac/kustomization.yaml": `namespace: team-a
namePrefix: a-
resources:
- rbac.yaml
`,
  "kust/rbac/rbac.yaml": `apiVersion: v1
kind: Namespace
metadata:
  name: placeholder
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: robot
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: robot-reads
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: reader
subjects:
- kind: ServiceAccount
  name: robot
  namespace: default
- kind: ServiceAccount
  name: robot
- kind: ServiceAccount
  name: robot
  namespace: elsewhere
- kind: User
  name: jane
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: viewer
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: robot-views
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: viewer
subjects:
- kind: ServiceAccount
  name: robot
  namespace: default
`,

  // legacy order across many kinds, and references between them
  "kust/order/kustomization.yaml": `resources:
- all.yaml
nameSuffix: -x
`,
  "kust/order/all.yaml": `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: hook
webhooks: []
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ing
spec:
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: db
            port:
              number: 5432
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: db
        image: postgres:16
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: data
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  clusterIP: None
  selector:
    app: db
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: db
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: db
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: backup
            image: postgres:16
---
apiVersion: v1
kind: LimitRange
metadata:
  name: limits
spec:
  limits: []
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: quota
---
apiVersion: v1
kind: Namespace
metadata:
  name: ns
---
apiVersion: v1
kind: Pod
metadata:
  name: a-pod
spec:
  containers:
  - name: c
    image: busybox
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - name: agent
        image: busybox
`,

  // a component adds to what the kustomization built
  "kust/withcomponent/kustomization.yaml": `resources:
- ../basic
components:
- ../component
`,
  "kust/component/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
commonAnnotations:
  component: "on"
configMapGenerator:
- name: feature
  literals:
  - FLAG=1
`,

  // scalars go-yaml must quote, and long and multi-line strings
  "kust/quoting/kustomization.yaml": `resources:
- cm.yaml
commonAnnotations:
  yes-word: "yes"
  number: "0123"
`,
  "kust/quoting/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: quoting
data:
  bool: "true"
  float: "1.0"
  null-word: "null"
  tilde: "~"
  colon: "a: b"
  hash: "# not a comment"
  star: "*"
  multi: |
    line one
    line two
  long: "${"word ".repeat(30).trim()}"
  empty: ""
  port: "8080"
`,

  // errors kustomize words its own way
  "kust/nokust/deploy.yaml": deployment("x"),
  "kust/unknown/kustomization.yaml": "resources: []\nnamePrefx: x-\n",
  "kust/badtype/kustomization.yaml": "images:\n- name: nginx\n  newTag: 1.27\n",
  "kust/missing/kustomization.yaml": "resources:\n- deploy.yaml\n- gone.yaml\n",
  "kust/missing/deploy.yaml": deployment("m"),
  "kust/nested/kustomization.yaml": "resources:\n- ../missing\n",
  "kust/emptydir/kustomization.yaml": "resources:\n- ../nokust\n",
  "kust/dup/kustomization.yaml": "resources:\n- a.yaml\n- a.yaml\n",
  "kust/dup/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
  "kust/noname/kustomization.yaml": "resources:\n- a.yaml\n",
  "kust/noname/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n",
  "kust/nopatch/kustomization.yaml": `resources:
- ../../kust/dup/a.yaml
`,
  "kust/deprecated/kustomization.yaml": `bases:
- ../dup-free
commonLabels:
  a: b
patchesStrategicMerge: []
patchesJson6902: []
`,
  "kust/dup-free/kustomization.yaml": "configMapGenerator:\n- name: one\n  literals:\n  - K=V\n",

  // applied, read back and deleted by the mutating cases
  "kust/app/kustomization.yaml": `namePrefix: {n}-
labels:
- pairs:
    app.kubernetes.io/part-of: kust
  includeSelectors: true
resources:
- deploy.yaml
configMapGenerator:
- name: app-env
  literals:
  - GREETING=hello
secretGenerator:
- name: app-secret
  literals:
  - token=abc123
`,
  "kust/app/deploy.yaml": deployment(
    "k",
    `        envFrom:
        - configMapRef:
            name: app-env
        - secretRef:
            name: app-secret
`,
  ),
};

/** Read-only cases: builds and their errors. */
export const kustomizeReadOnly: string[] = [
  "kustomize kust/basic",
  "kustomize kust/gen",
  "kustomize kust/overlay",
  "kustomize kust/base",
  "kustomize kust/rbac",
  "kustomize kust/order",
  "kustomize kust/withcomponent",
  "kustomize kust/quoting",
  "kustomize kust/deprecated",
  "kustomize kust/nokust",
  "kustomize kust/unknown",
  "kustomize kust/badtype",
  "kustomize kust/missing",
  "kustomize kust/nested",
  "kustomize kust/emptydir",
  "kustomize kust/dup",
  "kustomize kust/noname",
  "kustomize kust/nopatch",
  "kustomize kust/none",
  "kustomize kust/basic/deploy.yaml",
  "kustomize kust/basic kust/gen",
  "kustomize kust/basic -o yaml",
  "apply -k kust/basic -f kust/basic/deploy.yaml",
  "apply -k kust/basic -R",
  "get -k kust/nokust",
  "apply -k kust/basic --dry-run=client -o name",
  "apply -k kust/quoting --dry-run=client -o yaml",
  "apply -k kust/overlay --dry-run=client",
  "create -k kust/gen --dry-run=client -o name",
];

/** Mutating cases: apply, read, diff and delete a kustomization. */
export const kustomizeMutating: string[] = [
  "apply -k kust/app",
  "apply -k kust/app",
  "get -k kust/app -o name",
  "get -k kust/app -o jsonpath={.items[*].metadata.name}",
  "diff -k kust/app",
  "apply -k kust/app --server-side",
  "delete -k kust/app",
  "create -k kust/app -o name",
  "replace -k kust/app",
  "delete -k kust/app --wait=false",
  "get -k kust/app",
];
