/**
 * kubectl debug and kubectl proxy in the differential corpus: the deterministic parts (validation
 * errors, the objects debug creates or patches read back with -o jsonpath). Debugging container
 * names are given with -c, as `debugger-xxxxx` is random.
 */

/** Read-only: each fails before anything is written (`solo` is the setup's pod). */
export const debugReadOnly: string[] = [
  "debug",
  "debug solo",
  "debug --image=busybox",
  "debug nope --image=busybox",
  "debug nope --image=busybox --profile=general",
  "debug node/nope --image=busybox --profile=general",
  "debug deploy/nope --image=busybox --profile=general",
  "debug deploy/web --image=busybox --profile=general",
  "debug solo --image=busybox --profile=bogus",
  "debug solo --image=busybox --copy-to=x --target=solo --profile=general",
  "debug solo --image=busybox -t --profile=general",
  "debug solo --image=BAD:: --profile=general",
  "debug solo --image=busybox --image-pull-policy=Sometimes --profile=general",
  "debug solo --replace --image=busybox --profile=general",
  "debug solo --same-node --image=busybox --profile=general",
  "debug solo --set-image=solo=nginx --image=busybox --profile=general",
  "debug solo --copy-to=c --set-image=solo=BAD:: --profile=general",
  "debug solo --copy-to=c --profile=general",
  "debug solo --copy-to=c --profile=general -- sh",
  "debug solo --attach --profile=general",
  "debug solo --env=FOO --image=busybox --profile=general",
  "debug solo --image=busybox -c solo --profile=general",
  "debug solo --image=busybox -c x --target=nope --profile=general",
  "debug solo --image=busybox -c x --custom=nope.json --profile=general",
  "proxy --unix-socket=/tmp/kubelab-proxy --port=9",
  "proxy --port=x",
];

/** Mutating: a pod debugged by ephemeral containers and by copies. */
export const debugMutating: string[] = [
  "run {n}-dbg --image=nginx",
  "wait --for=condition=Ready pod/{n}-dbg --timeout=60s",
  "debug {n}-dbg --image=busybox -c dbg --profile=general",
  "debug {n}-dbg --image=busybox -c dbg2 --target={n}-dbg --profile=sysadmin -- sleep 3600",
  "debug {n}-dbg --image=busybox -c dbg3 --profile=restricted --env=A=1 --arguments-only -- sleep 3600",
  "debug {n}-dbg --image=busybox -c dbg4 --profile=netadmin -q",
  "get pod {n}-dbg -o jsonpath={.spec.ephemeralContainers}",
  "wait --for=jsonpath={.status.ephemeralContainerStatuses[0].state.terminated.reason}=Completed pod/{n}-dbg --timeout=60s",
  "wait --for=jsonpath={.status.ephemeralContainerStatuses[1].state.running} pod/{n}-dbg --timeout=60s",
  "debug {n}-dbg --copy-to={n}-copy --image=busybox -c dbg --profile=general -- sleep 3600",
  "get pod {n}-copy -o jsonpath={.metadata.labels}{.spec.shareProcessNamespace}{.spec.containers}",
  "debug {n}-dbg --copy-to={n}-img --set-image=*=nginx:1.27 --share-processes=false --keep-labels --profile=baseline",
  "get pod {n}-img -o jsonpath={.metadata.labels}{.spec.shareProcessNamespace}{.spec.containers[*].image}",
  "debug {n}-dbg --copy-to={n}-rep -c {n}-dbg --replace -q -- sleep 60",
  "get pod {n}-rep -o jsonpath={.metadata.labels}{.spec.containers}",
  "get pod {n}-dbg",
  "delete pod {n}-copy {n}-img {n}-rep --now",
];
