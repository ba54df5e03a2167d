import { checkId } from "../format/gradedLesson";
import { type Check, durationMs, type Exercise } from "../format/schema";
import { UnreachableError } from "../run/GradingCluster";
import { accessCheck } from "./access";
import { fileCheck, moduleCheck } from "./files";
import { absentCheck, conditionCheck, countCheck, existsCheck, fieldCheck } from "./objects";
import { commandCheck, endpointsCheck, eventCheck, requestCheck, spreadCheck } from "./relations";
import type { CheckContext, CheckResult, Outcome, PreparedCheck } from "./types";

export type { CheckContext, CheckResult, Outcome } from "./types";

/** Builds the runnable form of one declarative check. */
export function prepareCheck(check: Check, context: CheckContext): PreparedCheck {
  switch (check.type) {
    case "exists":
      return existsCheck(check, context);
    case "absent":
      return absentCheck(check, context);
    case "field":
      return fieldCheck(check, context);
    case "count":
      return countCheck(check, context);
    case "condition":
      return conditionCheck(check, context);
    case "event":
      return eventCheck(check, context);
    case "spread":
      return spreadCheck(check, context);
    case "endpoints":
      return endpointsCheck(check, context);
    case "request":
      return requestCheck(check, context);
    case "command":
      return commandCheck(check, context);
    case "file":
      return fileCheck(check, context);
    case "module":
      return moduleCheck(check, context);
    case "access":
      return accessCheck(check, context);
  }
}

/** A short checklist line for a check without a description. */
export function describeCheck(check: Check): string {
  if (check.description) return check.description;
  const target =
    "kind" in check ? `${check.kind} ${check.name ?? (check.selector ? `with ${check.selector}` : "")}`.trim() : "";
  switch (check.type) {
    case "exists":
      return `${target} exists`;
    case "absent":
      return `${target} is deleted`;
    case "field":
      return `${target}: ${check.path}`;
    case "count":
      return `${check.atLeast !== undefined ? `at least ${check.atLeast}` : check.exactly !== undefined ? `exactly ${check.exactly}` : "some"} ${target}${check.ready ? " Ready" : ""}`;
    case "condition":
      return `${target} is ${check.condition}`;
    case "event":
      return `${check.reason} event for ${check.involvedObject.kind} ${check.involvedObject.name}`;
    case "spread":
      return `Pods with ${check.selector} on at least ${check.minNodes} nodes`;
    case "endpoints":
      return `Service ${check.service} has ready endpoints`;
    case "request":
      return `a request to ${check.url} gets an answer`;
    case "command":
      return `\`${typeof check.command === "string" ? check.command : check.command.join(" ")}\` succeeds`;
    case "file":
      return `file ${check.path} ${check.node ? `on ${check.node}` : "in your home"}`;
    case "module":
      return check.module;
    case "access":
      return `${check.serviceAccount !== undefined ? `ServiceAccount ${check.serviceAccount}` : `User ${check.user}`} ${check.allowed ? "can" : "cannot"} ${check.verb} ${check.resource}`;
  }
}

/** Options for a grading run. */
export interface GradeOptions {
  /** Wait for convergence this long unless a check says otherwise (0: judge the cluster as it is). */
  defaultWaitMs?: number;
  /** Judge the cluster as it is, ignoring the checks' own waits (the Check button's first look, `lessons check` before a solution). */
  noWait?: boolean;
}

/** An exercise's graded outcome: per-check results and the score. */
export interface ExerciseResult {
  exerciseId: string;
  status: "pass" | "fail" | "error";
  score: number;
  maxScore: number;
  checks: CheckResult[];
}

/** Runs one check: evaluate, wait (watch-driven, bounded) when it fails and may converge, turn throws into `error`. */
export async function runCheck(
  check: Check,
  index: number,
  context: CheckContext,
  options: GradeOptions = {},
): Promise<CheckResult> {
  const base = { id: checkId(check, index), description: describeCheck(check), maxPoints: check.points };
  try {
    const prepared = prepareCheck(check, context);
    let outcome: Outcome = await prepared.evaluate();
    const waitMs = options.noWait ? 0 : durationMs(check.wait, options.defaultWaitMs ?? 0);
    if (!outcome.pass && waitMs > 0 && prepared.watches.length > 0) {
      await context.cluster.waitFor(
        prepared.watches,
        prepared.namespace,
        async () => {
          outcome = await prepared.evaluate();
          return outcome.pass;
        },
        waitMs,
      );
    }
    return {
      ...base,
      status: outcome.pass ? "pass" : "fail",
      points: outcome.pass ? check.points : 0,
      ...outcomeFields(outcome),
    };
  } catch (error) {
    const message =
      error instanceof UnreachableError
        ? "cannot reach the cluster"
        : `could not run this check: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
    return { ...base, status: "error", points: 0, message };
  }
}

function outcomeFields(outcome: Outcome) {
  return { message: outcome.message, expected: outcome.expected, found: outcome.found };
}

/**
 * Grades an exercise: every check in order (concurrently), weighted points, scaled to the
 * exercise's points when set. Any `error` makes the exercise `error` (not a failing grade).
 */
export async function gradeExercise(
  exercise: Exercise,
  context: CheckContext,
  options: GradeOptions = {},
): Promise<ExerciseResult> {
  const checks = await Promise.all(exercise.checks.map((check, index) => runCheck(check, index, context, options)));
  const weight = checks.reduce((sum, check) => sum + check.maxPoints, 0);
  const scale = exercise.points !== undefined && weight > 0 ? exercise.points / weight : 1;
  const earned = checks.reduce((sum, check) => sum + check.points, 0);
  for (const check of checks) {
    check.points = round(check.points * scale);
    check.maxPoints = round(check.maxPoints * scale);
  }
  const status = checks.some((check) => check.status === "error")
    ? "error"
    : checks.every((check) => check.status === "pass")
      ? "pass"
      : "fail";
  return { exerciseId: exercise.id, status, score: round(earned * scale), maxScore: round(weight * scale), checks };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
