import type { CheckOf } from "../format/schema";
import type { GradingCluster, KubeObject } from "../run/GradingCluster";
import { inNamespace, plural } from "./feedback";
import { isReady } from "./objects";
import { type CheckContext, lookThenJudge, type Outcome, type PreparedCheck } from "./types";

export function eventCheck(check: CheckOf<"event">, { cluster }: CheckContext): PreparedCheck {
  const namespace = check.namespace ?? cluster.namespace;
  const look = async () => {
    const info = await cluster.resolve("events");
    return { watches: [info], namespace, events: await cluster.list(info, namespace) };
  };
  return lookThenJudge(look, (seen): Outcome => {
    const events = seen.events.filter((event) => {
      const involved = event.involvedObject as { kind?: string; name?: string } | undefined;
      return involved?.kind === check.involvedObject.kind && involved?.name === check.involvedObject.name;
    });
    const subject = `${check.involvedObject.kind} ${check.involvedObject.name}`;
    const matching = events.filter(
      (event) =>
        event.reason === check.reason &&
        (check.message === undefined || new RegExp(check.message).test(String(event.message ?? ""))),
    );
    if (matching.length > 0) return { pass: true, message: `${subject} has a ${check.reason} event` };
    const reasons = [...new Set(events.map((event) => String(event.reason)))];
    return {
      pass: false,
      message: `No ${check.reason} event for ${subject}${inNamespace(namespace)}${reasons.length ? ` (its events: ${reasons.join(", ")})` : ""}`,
      expected: check.reason,
      found: reasons.join(", ") || "no events",
    };
  });
}

export function spreadCheck(check: CheckOf<"spread">, { cluster }: CheckContext): PreparedCheck {
  const namespace = check.namespace ?? cluster.namespace;
  const look = async () => {
    const info = await cluster.resolve("pods");
    return { watches: [info], namespace, pods: await cluster.list(info, namespace, check.selector) };
  };
  return lookThenJudge(look, (seen): Outcome => {
    const pods = seen.pods.filter((pod) => !pod.metadata?.deletionTimestamp);
    const nodes = new Set(pods.map((pod) => (pod.spec as { nodeName?: string })?.nodeName).filter(Boolean));
    const pass = nodes.size >= check.minNodes;
    return {
      pass,
      message: `${plural(pods.length, "Pod")} with ${check.selector} run on ${plural(nodes.size, "node")}${nodes.size ? ` (${[...nodes].join(", ")})` : ""}${pass ? "" : `; expected at least ${check.minNodes}`}`,
      expected: `at least ${check.minNodes} nodes`,
      found: String(nodes.size),
    };
  });
}

/** Ready endpoint addresses of a Service, from its EndpointSlices (or Endpoints when slices are absent). */
async function readyEndpoints(cluster: GradingCluster, namespace: string, service: string): Promise<string[]> {
  try {
    const slices = await cluster.list(
      await cluster.resolve("endpointslices"),
      namespace,
      `kubernetes.io/service-name=${service}`,
    );
    const addresses: string[] = [];
    for (const slice of slices) {
      for (const endpoint of (slice.endpoints as { addresses?: string[]; conditions?: { ready?: boolean } }[]) ?? []) {
        if (endpoint.conditions?.ready !== false) addresses.push(...(endpoint.addresses ?? []));
      }
    }
    return [...new Set(addresses)];
  } catch {
    const endpoints = await cluster.read(await cluster.resolve("endpoints"), namespace, service);
    const subsets = (endpoints?.subsets as { addresses?: { ip: string }[] }[]) ?? [];
    return subsets.flatMap((subset) => (subset.addresses ?? []).map((address) => address.ip));
  }
}

export function endpointsCheck(check: CheckOf<"endpoints">, { cluster }: CheckContext): PreparedCheck {
  const prepared: PreparedCheck = {
    watches: [],
    async evaluate(): Promise<Outcome> {
      const namespace = check.namespace ?? cluster.namespace;
      const serviceInfo = await cluster.resolve("services");
      prepared.watches = [serviceInfo, await cluster.resolve("pods")];
      prepared.namespace = namespace;
      const service = await cluster.read(serviceInfo, namespace, check.service);
      if (!service)
        return { pass: false, message: `No Service named ${check.service}${inNamespace(namespace)}`, found: "none" };
      const addresses = await readyEndpoints(cluster, namespace, check.service);
      let pass = addresses.length >= (check.atLeast ?? 1);
      let expected = `at least ${check.atLeast ?? 1}`;
      if (check.exactly !== undefined) {
        pass = addresses.length === check.exactly;
        expected = `exactly ${check.exactly}`;
      }
      const selector = (service.spec as { selector?: Record<string, string> })?.selector;
      const why =
        !pass && addresses.length === 0 && selector
          ? ` — does its selector ${Object.entries(selector)
              .map(([key, value]) => `${key}=${value}`)
              .join(",")} match Ready Pods?`
          : "";
      return {
        pass,
        message: `Service ${check.service} has ${plural(addresses.length, "ready endpoint")}${pass ? "" : `; expected ${expected}${why}`}`,
        expected,
        found: String(addresses.length),
      };
    },
  };
  return prepared;
}

/** The pod a request or command check runs in: by name, or the first Running and Ready pod of a selector. */
export async function pickPod(
  cluster: GradingCluster,
  check: { pod?: string; podSelector?: string; namespace?: string; container?: string },
): Promise<{ pod?: KubeObject; container?: string; namespace: string; problem?: string }> {
  const namespace = check.namespace ?? cluster.namespace;
  const info = await cluster.resolve("pods");
  let pod: KubeObject | undefined;
  if (check.pod) {
    pod = await cluster.read(info, namespace, check.pod);
    if (!pod) return { namespace, problem: `No Pod named ${check.pod}${inNamespace(namespace)}` };
  } else if (check.podSelector) {
    const pods = await cluster.list(info, namespace, check.podSelector);
    pod = pods.find((item) => (item.status as { phase?: string })?.phase === "Running" && isReady(item)) ?? pods[0];
    if (!pod) return { namespace, problem: `No Pod with ${check.podSelector}${inNamespace(namespace)}` };
  } else {
    return { namespace, problem: "the check names no pod (pod or podSelector)" };
  }
  const phase = (pod.status as { phase?: string })?.phase;
  if (phase !== "Running")
    return { namespace, pod, problem: `Pod ${pod.metadata?.name} is ${phase ?? "Pending"}; expected Running` };
  const containers = (pod.spec as { containers?: { name: string }[] })?.containers ?? [];
  return { namespace, pod, container: check.container ?? containers[0]?.name };
}

export function requestCheck(check: CheckOf<"request">, { cluster }: CheckContext): PreparedCheck {
  const prepared: PreparedCheck = {
    watches: [],
    async evaluate(): Promise<Outcome> {
      prepared.watches = [await cluster.resolve("pods"), await cluster.resolve("services")];
      const picked = await pickPod(cluster, check);
      prepared.namespace = picked.namespace;
      if (!picked.pod || !picked.container || picked.problem) {
        return { pass: false, message: picked.problem ?? "no container to run in", found: "no pod" };
      }
      const from = `Pod ${picked.pod.metadata?.name}`;
      const command = [
        "sh",
        "-c",
        `wget -q -T 5 -O - '${check.url.replace(/'/g, "")}' 2>&1 || curl -s -m 5 '${check.url.replace(/'/g, "")}' 2>&1`,
      ];
      const result = await cluster.exec(picked.namespace, String(picked.pod.metadata?.name), picked.container, command);
      const answer = result.stdout.trim();
      const failed = result.exitCode !== 0 || answer === "";
      if (failed) {
        const why = (answer || result.stderr).split("\n")[0]?.trim();
        return {
          pass: false,
          message: `A request from ${from} to ${check.url} got no answer${why ? ` (${why})` : ""}`,
          expected: "an answer",
          found: why || "no answer",
        };
      }
      if (check.expect && !new RegExp(check.expect).test(answer)) {
        return {
          pass: false,
          message: `${from} got an answer from ${check.url}, but not the expected one: "${answer.slice(0, 80).replace(/\s+/g, " ")}"`,
          expected: `/${check.expect}/`,
          found: answer.slice(0, 200),
        };
      }
      return { pass: true, message: `${from} gets an answer from ${check.url}` };
    },
  };
  return prepared;
}

export function commandCheck(check: CheckOf<"command">, { cluster }: CheckContext): PreparedCheck {
  const argv = typeof check.command === "string" ? ["sh", "-c", check.command] : check.command;
  const shown = typeof check.command === "string" ? check.command : check.command.join(" ");
  const prepared: PreparedCheck = {
    watches: [],
    async evaluate(): Promise<Outcome> {
      prepared.watches = [await cluster.resolve("pods")];
      const picked = await pickPod(cluster, check);
      prepared.namespace = picked.namespace;
      if (!picked.pod || !picked.container || picked.problem) {
        return { pass: false, message: picked.problem ?? "no container to run in", found: "no pod" };
      }
      const where = `Pod ${picked.pod.metadata?.name}`;
      const result = await cluster.exec(picked.namespace, String(picked.pod.metadata?.name), picked.container, argv);
      const output = (result.stdout + result.stderr).trim();
      const wantedExit = check.exitCode ?? (check.expect === undefined ? 0 : undefined);
      if (wantedExit !== undefined && result.exitCode !== wantedExit) {
        return {
          pass: false,
          message: `\`${shown}\` in ${where} exited with ${result.exitCode}; expected ${wantedExit}${output ? ` (${output.split("\n")[0]})` : ""}`,
          expected: `exit ${wantedExit}`,
          found: `exit ${result.exitCode}`,
        };
      }
      if (check.expect !== undefined && !new RegExp(check.expect).test(output)) {
        return {
          pass: false,
          // One line in the checklist: an HTML page's first 80 characters span several.
          message: `\`${shown}\` in ${where} printed "${output.slice(0, 80).replace(/\s+/g, " ")}"; expected something matching /${check.expect}/`,
          expected: `/${check.expect}/`,
          found: output.slice(0, 200),
        };
      }
      return { pass: true, message: `\`${shown}\` in ${where} ${commandPassed(check, wantedExit)}` };
    },
  };
  return prepared;
}

/**
 * What a passing command check did, in the learner's words: a check that wants a failure (curl's
 * 28 for a blocked connection) must not read "succeeds".
 */
function commandPassed(check: CheckOf<"command">, wantedExit: number | undefined): string {
  if (check.expect) return "prints what was expected";
  if (wantedExit !== undefined && wantedExit !== 0) return `exits with ${wantedExit}, as expected`;
  return "succeeds";
}
