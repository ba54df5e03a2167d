import path from "node:path";
import { pathToFileURL } from "node:url";
import type { CheckOf } from "../format/schema";
import type { CheckContext, Outcome, PreparedCheck } from "./types";

export function fileCheck(check: CheckOf<"file">, { cluster }: CheckContext): PreparedCheck {
  return {
    watches: [],
    async evaluate(): Promise<Outcome> {
      const where = check.node ? `on node ${check.node}` : "in your home folder";
      const read = check.node
        ? cluster.files.readNodeFile?.bind(cluster.files, check.node)
        : cluster.files.readHomeFile?.bind(cluster.files);
      if (!read) throw new Error(`files ${where} cannot be read for this cluster`);
      const content = await read(check.path);
      if (content === undefined)
        return { pass: false, message: `No file ${check.path} ${where}`, expected: "the file", found: "none" };
      if (check.contains !== undefined && !content.includes(check.contains)) {
        return {
          pass: false,
          message: `${check.path} ${where} does not contain "${check.contains}"`,
          expected: check.contains,
          found: content.slice(0, 200),
        };
      }
      if (check.regex !== undefined && !new RegExp(check.regex, "m").test(content)) {
        return {
          pass: false,
          message: `${check.path} ${where} does not match /${check.regex}/`,
          expected: check.regex,
          found: content.slice(0, 200),
        };
      }
      return {
        pass: true,
        message: `${check.path} ${where} is there${check.contains || check.regex ? " with the expected content" : ""}`,
      };
    },
  };
}

/**
 * What a lesson's TypeScript check module exports:
 * `export async function check(context): Promise<{ pass: boolean; message: string }>`.
 */
export interface CheckModule {
  check(context: CheckContext & { options: Record<string, unknown> }): Promise<Outcome>;
}

export function moduleCheck(check: CheckOf<"module">, context: CheckContext): PreparedCheck {
  return {
    watches: [],
    async evaluate(): Promise<Outcome> {
      const file = path.resolve(context.lessonFolder, check.module);
      if (!file.startsWith(path.resolve(context.lessonFolder)))
        throw new Error(`module ${check.module} is outside the lessons folder`);
      const loaded = (await import(
        /* webpackIgnore: true */ /* turbopackIgnore: true */ pathToFileURL(file).href
      )) as Partial<CheckModule>;
      if (typeof loaded.check !== "function") throw new Error(`${check.module} does not export a check function`);
      const outcome = await loaded.check({ ...context, options: check.options ?? {} });
      if (typeof outcome?.pass !== "boolean" || typeof outcome.message !== "string") {
        throw new Error(`${check.module}'s check must return { pass, message }`);
      }
      return outcome;
    },
  };
}
