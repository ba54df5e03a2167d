import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/** V8 limits per shell: a small young generation and a capped heap keep each shell's memory low. */
const nodeFlags = ["--max-old-space-size=96", "--max-semi-space-size=1"];

/** The command that starts a learner shell process. */
export interface ShellLaunch {
  file: string;
  args: string[];
}

function newestSource(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if ((entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) || entry.name.endsWith(".json"))
      newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Bundles terminal/shell/main.ts (our TypeScript only; packages stay external) into one ES
 * module under node_modules/.cache, rebuilt when a source is newer. Starting the shell from the
 * bundle with plain node avoids tsx's per-module transform cost, which dominates start-up time.
 * Falls back to `node --import tsx main.ts` when esbuild is unavailable.
 */
export async function prepareShellLaunch(root: string, _dataDirectory?: string): Promise<ShellLaunch> {
  const entry = path.join(root, "terminal", "shell", "main.ts");
  // Inside node_modules so the bundle's bare imports resolve to the project's packages.
  const output = path.join(root, "node_modules", ".cache", "kubelab-terminal", "shell.mjs");
  try {
    const sources = Math.max(
      newestSource(path.join(root, "terminal", "shell")),
      newestSource(path.join(root, "terminal", "kubectl")),
      newestSource(path.join(root, "terminal", "node")),
    );
    if (!existsSync(output) || statSync(output).mtimeMs < sources) {
      mkdirSync(path.dirname(output), { recursive: true });
      const esbuild = await import("esbuild");
      await esbuild.build({
        entryPoints: [entry],
        outfile: output,
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        packages: "external",
        sourcemap: "inline",
        logLevel: "silent",
        banner: {
          js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
        },
      });
    }
    return { file: process.execPath, args: [...nodeFlags, output] };
  } catch {
    return { file: process.execPath, args: [...nodeFlags, "--import", "tsx", entry] };
  }
}
