import type { ResourceInfo } from "../../terminal/kubectl/Discovery";
import type { CheckOf, Matcher } from "../format/schema";
import type { GradingCluster, KubeObject } from "../run/GradingCluster";
import { closest, inNamespace, looksMisspelled, plural, show } from "./feedback";
import { valuesAt } from "./paths";
import { type CheckContext, type Looked, lookThenJudge, type Outcome, type PreparedCheck } from "./types";

type Target = { kind: string; apiVersion?: string; name?: string; selector?: string; namespace?: string };

/** The objects a check is about, resolved against the cluster. */
async function findTargets(cluster: GradingCluster, target: Target): Promise<Targets> {
  const info = await cluster.resolve(target.kind, target.apiVersion);
  const namespace = info.namespaced ? (target.namespace ?? cluster.namespace) : undefined;
  if (target.name) {
    const object = await cluster.read(info, namespace, target.name);
    const objects = object ? [object] : [];
    return { info, namespace, watches: [info], objects, describe: `${info.kind} ${target.name}` };
  }
  const objects = await cluster.list(info, namespace, target.selector);
  const describe = target.selector ? `${info.kind}s with ${target.selector}` : `${info.kind}s`;
  return { info, namespace, watches: [info], objects, describe };
}

/** The objects a target names, and the kind to watch for changes to them. */
interface Targets extends Looked {
  info: ResourceInfo;
  namespace: string | undefined;
  objects: KubeObject[];
  describe: string;
}

/** A check over the objects its target names. */
function objectCheck(
  cluster: GradingCluster,
  target: Target,
  judge: (found: Targets) => Outcome | Promise<Outcome>,
): PreparedCheck {
  return lookThenJudge(() => findTargets(cluster, target), judge);
}

/** The failure when no object matches: names the missing one, and a near miss when there is one. */
async function noneFound(cluster: GradingCluster, target: Target, found: Targets, expected: string): Promise<Outcome> {
  const why = target.name ? await whyMissing(cluster, found.info, found.namespace, target.name) : "";
  return {
    pass: false,
    message: `No ${target.name ? `${found.info.kind} named ${target.name}` : found.describe}${inNamespace(found.namespace)}${why}`,
    expected,
    found: "none",
  };
}

/** Why a named object is missing: a near-miss name, or the same name in another namespace. */
async function whyMissing(cluster: GradingCluster, info: ResourceInfo, namespace: string | undefined, name: string) {
  const here = await cluster.list(info, namespace);
  const near = closest(
    name,
    here.map((object) => object.metadata?.name ?? ""),
  );
  if (near) return ` — found ${info.kind} ${near}; is the name spelled right?`;
  if (info.namespaced) {
    const everywhere = await cluster.list(info, undefined);
    const elsewhere = everywhere.find((object) => object.metadata?.name === name);
    if (elsewhere)
      return ` — there is one in namespace ${elsewhere.metadata?.namespace}; expected it${inNamespace(namespace)}`;
  }
  return "";
}

export function existsCheck(check: CheckOf<"exists">, { cluster }: CheckContext): PreparedCheck {
  return objectCheck(cluster, check, (found) =>
    found.objects.length > 0
      ? { pass: true, message: `${found.describe} exists${inNamespace(found.namespace)}` }
      : noneFound(cluster, check, found, `${found.describe} exists`),
  );
}

export function absentCheck(check: CheckOf<"absent">, { cluster }: CheckContext): PreparedCheck {
  return objectCheck(cluster, check, async (found): Promise<Outcome> => {
    const live = found.objects.filter((object) => !object.metadata?.deletionTimestamp);
    if (live.length === 0) return { pass: true, message: `${found.describe} is gone${inNamespace(found.namespace)}` };
    const names = live.map((object) => object.metadata?.name).join(", ");
    return {
      pass: false,
      message: check.name
        ? `${found.describe} still exists${inNamespace(found.namespace)}; expected it to be deleted`
        : `${plural(live.length, found.info.kind)} still exist${inNamespace(found.namespace)} (${names}); expected none`,
      expected: "absent",
      found: names,
    };
  });
}

/** Tests one value against a matcher; returns what was expected when it does not match. */
export function matches(value: unknown, matcher: Matcher): { ok: boolean; expected: string } {
  if (matcher.exists !== undefined) {
    const present = value !== undefined && value !== null;
    if (present !== matcher.exists) return { ok: false, expected: matcher.exists ? "a value" : "no value" };
  }
  if (matcher.equals !== undefined && !equal(value, matcher.equals))
    return { ok: false, expected: show(matcher.equals) };
  if (matcher.oneOf !== undefined && !matcher.oneOf.some((option) => equal(value, option))) {
    return { ok: false, expected: `one of ${matcher.oneOf.map(show).join(", ")}` };
  }
  if (matcher.regex !== undefined && !(value !== undefined && new RegExp(matcher.regex).test(show(value)))) {
    return { ok: false, expected: `something matching /${matcher.regex}/` };
  }
  const number = typeof value === "number" ? value : typeof value === "string" && value !== "" ? Number(value) : NaN;
  const numeric: [keyof Matcher, string, (limit: number) => boolean][] = [
    ["gt", "more than", (limit) => number > limit],
    ["gte", "at least", (limit) => number >= limit],
    ["lt", "less than", (limit) => number < limit],
    ["lte", "at most", (limit) => number <= limit],
  ];
  for (const [key, words, test] of numeric) {
    const limit = matcher[key] as number | undefined;
    if (limit !== undefined && !(Number.isFinite(number) && test(limit)))
      return { ok: false, expected: `${words} ${limit}` };
  }
  return { ok: true, expected: "" };
}

function equal(a: unknown, b: unknown): boolean {
  if (typeof a === "number" || typeof b === "number") return String(a) === String(b);
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Longest value a message quotes whole: a certificate or a token would bury the line. */
const shownValueLimit = 60;

/** "runs image nginx" for image paths, "has spec.replicas = 3" otherwise (long values cut short). */
function phrase(path: string, value: unknown): string {
  if (/(^|\.)image$/.test(path)) return `runs image ${show(value)}`;
  const shown = show(value);
  const cut = shown.length > shownValueLimit ? `${shown.slice(0, shownValueLimit - 1)}…` : shown;
  return `has ${path.replace(/^\.|^\{\.|\}$/g, "")} = ${cut}`;
}

export function fieldCheck(check: CheckOf<"field">, { cluster }: CheckContext): PreparedCheck {
  const matcher: Matcher = {
    equals: check.equals,
    regex: check.regex,
    oneOf: check.oneOf,
    exists: check.exists,
    gt: check.gt,
    gte: check.gte,
    lt: check.lt,
    lte: check.lte,
  };
  return objectCheck(cluster, check, async (found): Promise<Outcome> => {
    if (found.objects.length === 0) return noneFound(cluster, check, found, `${found.describe} exists`);
    for (const object of found.objects) {
      const values = valuesAt(object, check.path);
      // A wildcard path compared with a list compares the whole list (["web", "writer"]); else any value may match.
      const whole = check.path.includes("*") && Array.isArray(check.equals);
      const candidates = whole ? [values] : values.length === 0 ? [undefined] : values;
      const hit = candidates.find((value) => matches(value, matcher).ok);
      if (hit !== undefined || (candidates.length === 1 && matches(candidates[0], matcher).ok)) continue;
      const value = candidates[0];
      const { expected } = matches(value, matcher);
      const name = `${found.info.kind} ${object.metadata?.name}`;
      const typo =
        typeof value === "string" && typeof check.equals === "string" && looksMisspelled(value, check.equals)
          ? " — is the name spelled right?"
          : "";
      const message =
        value === undefined
          ? `${name} has no ${check.path}; expected ${expected}`
          : `${name} ${phrase(check.path, value)}; expected ${expected}${typo}`;
      return { pass: false, message, expected, found: show(value) };
    }
    const firstValues = valuesAt(found.objects[0], check.path);
    // Name the value that matched (a wildcard path's first value may be another one: verbs "get", not "patch").
    const value =
      check.path.includes("*") && Array.isArray(check.equals)
        ? firstValues
        : (firstValues.find((candidate) => matches(candidate, matcher).ok) ?? firstValues[0]);
    return {
      pass: true,
      message:
        found.objects.length === 1
          ? `${found.info.kind} ${found.objects[0]?.metadata?.name} ${phrase(check.path, value)}`
          : `${plural(found.objects.length, found.info.kind)} match at ${check.path}`,
    };
  });
}

/** Whether an object is Ready: a Pod's Ready condition, else a Ready condition if the kind has one. */
export function isReady(object: KubeObject): boolean {
  const conditions = (object.status as { conditions?: { type: string; status: string }[] })?.conditions ?? [];
  return conditions.some((condition) => condition.type === "Ready" && condition.status === "True");
}

export function countCheck(check: CheckOf<"count">, { cluster }: CheckContext): PreparedCheck {
  return objectCheck(cluster, check, async (found): Promise<Outcome> => {
    const live = found.objects.filter((object) => !object.metadata?.deletionTimestamp);
    const counted = live.filter(
      (object) =>
        (check.phase === undefined || (object.status as { phase?: string })?.phase === check.phase) &&
        (check.ready === undefined || isReady(object) === check.ready),
    );
    const states = [check.phase, check.ready === true ? "Ready" : check.ready === false ? "not Ready" : undefined]
      .filter(Boolean)
      .join(" and ");
    const subject = `${plural(counted.length, found.info.kind)}${check.selector ? ` with ${check.selector}` : ""}`;
    const verb = counted.length === 1 ? "is" : "are";
    const what = states ? `${subject} ${verb} ${states}` : `${subject} exist${counted.length === 1 ? "s" : ""}`;
    const wanted: string[] = [];
    let pass = true;
    if (check.exactly !== undefined) {
      wanted.push(`exactly ${check.exactly}`);
      pass &&= counted.length === check.exactly;
    }
    if (check.atLeast !== undefined) {
      wanted.push(`at least ${check.atLeast}`);
      pass &&= counted.length >= check.atLeast;
    }
    if (check.atMost !== undefined) {
      wanted.push(`at most ${check.atMost}`);
      pass &&= counted.length <= check.atMost;
    }
    if (wanted.length === 0) {
      wanted.push("at least 1");
      pass = counted.length >= 1;
    }
    const expected = wanted.join(" and ");
    const extra = !pass && states && live.length > counted.length ? ` (${live.length} in all)` : "";
    return {
      pass,
      message: `${what}${inNamespace(found.namespace)}${extra}${pass ? "" : `; expected ${expected}`}`,
      expected,
      found: String(counted.length),
    };
  });
}

type Condition = { type: string; status: string; reason?: string; message?: string };

/** The rollout state of a Deployment as `kubectl rollout status` judges it. */
function rolloutState(object: KubeObject): { done: boolean; message: string } {
  const name = `Deployment ${object.metadata?.name}`;
  const spec = object.spec as { replicas?: number } | undefined;
  const status = (object.status ?? {}) as {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
  };
  const wanted = spec?.replicas ?? 1;
  if ((status.observedGeneration ?? 0) < (object.metadata?.generation ?? 0)) {
    return { done: false, message: `${name} has a change the controller has not picked up yet` };
  }
  if ((status.updatedReplicas ?? 0) < wanted) {
    return { done: false, message: `${name} has ${status.updatedReplicas ?? 0} updated replicas; expected ${wanted}` };
  }
  if ((status.replicas ?? 0) > (status.updatedReplicas ?? 0)) {
    return {
      done: false,
      message: `${name} still has ${(status.replicas ?? 0) - (status.updatedReplicas ?? 0)} old replicas`,
    };
  }
  if ((status.availableReplicas ?? 0) < wanted) {
    return { done: false, message: `${name} has ${status.readyReplicas ?? 0} ready replicas; expected ${wanted}` };
  }
  return { done: true, message: `${name} is rolled out with ${wanted} ready replicas` };
}

export function conditionCheck(check: CheckOf<"condition">, { cluster }: CheckContext): PreparedCheck {
  return objectCheck(cluster, check, async (found): Promise<Outcome> => {
    if (found.objects.length === 0) return noneFound(cluster, check, found, check.condition);
    for (const object of found.objects) {
      const name = `${found.info.kind} ${object.metadata?.name}`;
      if (check.condition === "RolledOut") {
        const state = rolloutState(object);
        if (!state.done) return { pass: false, message: state.message, expected: "rolled out", found: "rolling out" };
        continue;
      }
      const conditions = ((object.status as { conditions?: Condition[] })?.conditions ?? []) as Condition[];
      const condition = conditions.find((item) => item.type === check.condition);
      if (condition?.status === check.status) continue;
      const detail = condition?.message || condition?.reason;
      const message =
        found.info.kind === "Deployment" && check.condition === "Available" && check.status === "True"
          ? rolloutState(object).message
          : condition
            ? `${name} is ${check.status === "True" ? "not " : ""}${check.condition}${detail ? ` (${detail})` : ""}`
            : `${name} has no ${check.condition} condition yet`;
      const podPhase = found.info.kind === "Pod" ? (object.status as { phase?: string })?.phase : undefined;
      return {
        pass: false,
        message: podPhase && !message.includes(podPhase) ? `${message}; it is ${podPhase}` : message,
        expected: `${check.condition}=${check.status}`,
        found: condition ? `${check.condition}=${condition.status}` : "no condition",
      };
    }
    const subject =
      found.objects.length === 1
        ? `${found.info.kind} ${found.objects[0]?.metadata?.name} is`
        : `${found.describe} are`;
    return {
      pass: true,
      message:
        check.condition === "RolledOut"
          ? `${subject} rolled out`
          : `${subject} ${check.status === "True" ? "" : "not "}${check.condition}`,
    };
  });
}
