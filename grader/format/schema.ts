import { z } from "zod";

/**
 * The lesson format's grading parts: the optional `startingState` in a lesson's front matter and
 * the ```exercise blocks in its prose. The JSON Schema in grader/schema/lesson.schema.json
 * describes the same shapes for editors (grader/schema/generate.ts writes it from these).
 */

const name = z.string().trim().min(1, "must not be empty");
const durationPattern = /^\d+(?:\.\d+)?(?:ms|s|m)$/;
/** How long a convergence-dependent check waits: "30s", "500ms", "2m", or milliseconds. */
export const Duration = z.union([
  z.number().nonnegative(),
  z.string().regex(durationPattern, 'must be a duration such as "30s", "500ms" or "2m"'),
]);

/** Converts a Duration to milliseconds. */
export function durationMs(value: z.infer<typeof Duration> | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === "number") return value;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(value);
  if (!match) return fallback;
  const amount = Number(match[1]);
  return match[2] === "ms" ? amount : match[2] === "s" ? amount * 1000 : amount * 60_000;
}

/** What every check shares. */
const common = {
  /** Stable id within the exercise (defaults to check-<n>). */
  id: z.string().optional(),
  /** The checklist line the learner sees, e.g. "a Pod named hello runs nginx". */
  description: z.string().optional(),
  /** Weight of this check within the exercise (partial credit). */
  points: z.number().nonnegative().default(1),
  /** How long to wait for convergence before failing (watch-driven); default 0 for the Check button. */
  wait: Duration.optional(),
};

/** Which objects a check looks at: a kind plus a name or a label selector. */
const target = {
  kind: name,
  /** Needed only for kinds that discovery cannot resolve unambiguously (custom resources). */
  apiVersion: z.string().optional(),
  name: z.string().optional(),
  /** A label selector as kubectl takes it: "app=web,tier!=db". */
  selector: z.string().optional(),
  namespace: z.string().optional(),
};

/** A comparison of a value found at a path. At least one of its fields must be set. */
const matcherShape = {
  equals: z.unknown().optional(),
  regex: z.string().optional(),
  oneOf: z.array(z.unknown()).optional(),
  exists: z.boolean().optional(),
  gt: z.number().optional(),
  gte: z.number().optional(),
  lt: z.number().optional(),
  lte: z.number().optional(),
};
const hasMatcher = {
  check: (matcher: Record<string, unknown>) => Object.keys(matcherShape).some((key) => matcher[key] !== undefined),
  message: "needs one of equals, regex, oneOf, exists, gt, gte, lt, lte",
};
export const Matcher = z.strictObject(matcherShape).refine(hasMatcher.check, { message: hasMatcher.message });
export type Matcher = z.infer<typeof Matcher>;

export const ExistsCheck = z.strictObject({ type: z.literal("exists"), ...common, ...target });
export const AbsentCheck = z.strictObject({ type: z.literal("absent"), ...common, ...target });
export const FieldCheck = z
  .strictObject({
    type: z.literal("field"),
    ...common,
    ...target,
    /** A JSONPath-like path: spec.containers[0].image, metadata.labels["app.kubernetes.io/name"], spec.containers[*].image. */
    path: name,
    ...matcherShape,
  })
  .refine(hasMatcher.check, { message: hasMatcher.message });
export const CountCheck = z.strictObject({
  type: z.literal("count"),
  ...common,
  ...target,
  /** Only objects in this phase count (Pods: Running, Succeeded …). */
  phase: z.string().optional(),
  /** Only Ready objects count (Pods: the Ready condition). */
  ready: z.boolean().optional(),
  atLeast: z.number().int().nonnegative().optional(),
  atMost: z.number().int().nonnegative().optional(),
  exactly: z.number().int().nonnegative().optional(),
});
export const ConditionCheck = z.strictObject({
  type: z.literal("condition"),
  ...common,
  ...target,
  /**
   * A condition type (Ready, Available, Complete …) or "RolledOut" (a Deployment observed at its
   * current generation with every replica updated and available).
   */
  condition: name,
  status: z.enum(["True", "False", "Unknown"]).default("True"),
});
export const EventCheck = z.strictObject({
  type: z.literal("event"),
  ...common,
  reason: name,
  /** The object the event is about. */
  involvedObject: z.strictObject({ kind: name, name }),
  namespace: z.string().optional(),
  /** The event's message must match this regular expression. */
  message: z.string().optional(),
});
export const SpreadCheck = z.strictObject({
  type: z.literal("spread"),
  ...common,
  /** Pods with this label selector… */
  selector: name,
  namespace: z.string().optional(),
  /** …run on at least this many distinct nodes. */
  minNodes: z.number().int().positive(),
});
export const EndpointsCheck = z.strictObject({
  type: z.literal("endpoints"),
  ...common,
  /** The Service's name. */
  service: name,
  namespace: z.string().optional(),
  atLeast: z.number().int().nonnegative().optional(),
  exactly: z.number().int().nonnegative().optional(),
});
const PodRef = {
  /** The pod to run in: a name, or a selector whose first Running pod is used. */
  pod: z.string().optional(),
  podSelector: z.string().optional(),
  container: z.string().optional(),
  namespace: z.string().optional(),
};
export const RequestCheck = z.strictObject({
  type: z.literal("request"),
  ...common,
  ...PodRef,
  /** The URL requested from inside the pod, e.g. http://web or http://web.default.svc:8080/. */
  url: name,
  /** The response must match this regular expression (any answer passes when omitted). */
  expect: z.string().optional(),
});
export const CommandCheck = z.strictObject({
  type: z.literal("command"),
  ...common,
  ...PodRef,
  /** The command run in the container (exec), as an argv array or a shell line run with sh -c. */
  command: z.union([name, z.array(z.string()).min(1)]),
  /** Its output must match this regular expression. */
  expect: z.string().optional(),
  exitCode: z.number().int().optional(),
});
export const FileCheck = z
  .strictObject({
    type: z.literal("file"),
    ...common,
    /** The node whose file system holds the file; omit and set home: true for the learner's home. */
    node: z.string().optional(),
    home: z.boolean().optional(),
    path: name,
    /** The content must contain this text… */
    contains: z.string().optional(),
    /** …or match this regular expression. */
    regex: z.string().optional(),
  })
  .refine((check) => (check.node === undefined) !== (check.home !== true), {
    message: "a file check needs exactly one of node: NAME or home: true",
  });
export const AccessCheck = z
  .strictObject({
    type: z.literal("access"),
    ...common,
    /** Who asks: a ServiceAccount (`name` in `namespace`, or `namespace:name`)… */
    serviceAccount: z.string().optional(),
    /** …or a user, with the groups their credentials carry. */
    user: z.string().optional(),
    groups: z.array(z.string()).optional(),
    /** What they ask to do: a verb (get, list, create, delete, …, or * ) on a resource as kubectl names it (pods, deploy, pods/log). */
    verb: name,
    resource: name,
    /** One object by name (resourceNames rules); omit for any. */
    name: z.string().optional(),
    /** Where: the namespace of the request (default: the kubeconfig's); ignored for cluster-scoped resources. */
    namespace: z.string().optional(),
    /** Whether it must be allowed (default) or denied. */
    allowed: z.boolean().default(true),
  })
  .refine((check) => (check.serviceAccount === undefined) !== (check.user === undefined), {
    message: "an access check needs exactly one of serviceAccount or user",
  });
export const ModuleCheck = z.strictObject({
  type: z.literal("module"),
  ...common,
  /** A TypeScript file next to the lesson exporting `check(context)` (see docs/authoring.md). */
  module: name,
  /** Passed to the module as `context.options`. */
  options: z.record(z.string(), z.unknown()).optional(),
});

/** One declarative check. */
export const Check = z.discriminatedUnion("type", [
  ExistsCheck,
  AbsentCheck,
  FieldCheck,
  CountCheck,
  ConditionCheck,
  EventCheck,
  SpreadCheck,
  EndpointsCheck,
  RequestCheck,
  CommandCheck,
  FileCheck,
  ModuleCheck,
  AccessCheck,
]);
export type Check = z.infer<typeof Check>;
export type CheckOf<T extends Check["type"]> = Extract<Check, { type: T }>;

/** An exercise block: ```exercise followed by YAML. */
export const Exercise = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "must be lower-case words joined by hyphens"),
  title: name,
  /** Markdown shown above the checklist. */
  instructions: z.string().optional(),
  /** Total points; when set, check weights are scaled to add up to it. Defaults to the sum of check points. */
  points: z.number().positive().optional(),
  checks: z.array(Check).min(1, "an exercise needs at least one check"),
  /** Revealed one at a time. */
  hints: z.array(z.string()).default([]),
  /** Shell commands as a learner would type them, one per line (heredocs allowed). */
  solution: name,
  /** Failed attempts before the solution is offered. */
  solutionAfterAttempts: z.number().int().nonnegative().default(2),
});
export type Exercise = z.infer<typeof Exercise>;

/** A file placed before the learner starts. */
export const StartingFile = z
  .strictObject({
    path: name,
    content: z.string(),
    /** A node's name, for a file on that node's file system. */
    node: z.string().optional(),
    /** True for a file in the learner's home (/root); path is then relative to it or absolute under /root. */
    home: z.boolean().optional(),
  })
  .refine((file) => (file.node === undefined) !== (file.home !== true), {
    message: "a starting file needs exactly one of node: NAME or home: true",
  });

/** The cluster a lesson starts from, applied on a fresh cluster (and by Reset). */
export const StartingState = z.strictObject({
  /** Multi-document YAML, applied like `kubectl apply -f`. */
  manifests: z.string().optional(),
  files: z.array(StartingFile).default([]),
  /** Shell commands run after the manifests, as the learner would type them. */
  commands: z.array(z.string()).default([]),
  /** Wait for these before handing the cluster over, e.g. every Deployment Available. */
  waitFor: z
    .array(ConditionCheck.omit({ type: true }).extend({ type: z.literal("condition").default("condition") }))
    .default([]),
});
export type StartingState = z.infer<typeof StartingState>;

/** The front matter fields the grader and the pages add to the foundation's (lib/lessons/Lesson.ts). */
export const GradedFrontMatter = z.looseObject({
  estimatedMinutes: z.number().positive().optional(),
  objectives: z.array(z.string()).default([]),
  prerequisites: z.array(z.string()).default([]),
  startingState: StartingState.optional(),
  /**
   * A timed lesson (an assessment): the clock starts when the learner first opens the lesson
   * (kept on the server per learner); when it runs out, or the learner finishes, the page shows
   * the final score with a per-exercise breakdown and further checks no longer count.
   */
  timeLimitMinutes: z
    .number()
    .positive()
    .max(24 * 60)
    .optional(),
});
export type GradedFrontMatter = z.infer<typeof GradedFrontMatter>;
