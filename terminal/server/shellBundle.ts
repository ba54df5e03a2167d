import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";

/** V8 limits per shell: a small young generation and a capped heap keep each shell's memory low. */
const nodeFlags = ["--max-old-space-size=96", "--max-semi-space-size=1"];

/** The packages bundled into the shell (see prepareShellLaunch); every other one stays external. */
const bundledPackages = new Set(["yaml", "ws"]);

/** An esbuild plugin keeping bare imports external (loaded from node_modules) except `bundled`. */
function externalPackagesBut(bundled: Set<string>): import("esbuild").Plugin {
  return {
    name: "external-packages",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        const parts = args.path.split("/");
        const name = args.path.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
        if (!args.path.startsWith("node:") && bundled.has(name as string)) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}

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
 * Bundles terminal/shell/main.ts (our TypeScript, yaml and ws; other packages stay external) into
 * ES modules under node_modules/.cache, rebuilt when a source (or this builder) is newer. Starting the shell
 * from the bundle with plain node avoids tsx's per-module transform cost, which dominates start-up
 * time. What kubectl imports lazily (its help texts, describe, client-node's exec plugins …) goes
 * to chunks a shell loads only when it uses them. Falls back to `node --import tsx main.ts` when
 * esbuild is unavailable.
 */
export async function prepareShellLaunch(root: string, _dataDirectory?: string): Promise<ShellLaunch> {
  const entry = path.join(root, "terminal", "shell", "main.ts");
  // Inside node_modules so the bundle's bare imports resolve to the project's packages.
  const directory = path.join(root, "node_modules", ".cache", "kubelab-terminal");
  const output = path.join(directory, "shell.mjs");
  try {
    const sources = Math.max(
      newestSource(path.join(root, "terminal", "shell")),
      newestSource(path.join(root, "terminal", "kubectl")),
      newestSource(path.join(root, "terminal", "node")),
      statSync(path.join(root, "terminal", "server", "shellBundle.ts")).mtimeMs,
    );
    if (!existsSync(output) || statSync(output).mtimeMs < sources) {
      mkdirSync(directory, { recursive: true });
      const esbuild = await import("esbuild");
      await esbuild.build({
        entryPoints: { shell: entry },
        outdir: directory,
        outExtension: { ".js": ".mjs" },
        // Chunks are named by content: a shell started from an earlier build still finds its own.
        splitting: true,
        chunkNames: "chunk-[hash]",
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        // Packages stay external, but for the few every shell loads at start: imported from the
        // node_modules folder, yaml (73 CommonJS files) and ws (11) cost the module loader ~120 ms
        // of a warm shell's ~450 ms of CPU before it is ready (files opened one by one, CommonJS
        // export detection); bundled, esbuild puts them in the shell's chunks.
        plugins: [externalPackagesBut(bundledPackages)],
        // Whitespace and comments out, names kept (stack traces stay readable), the source map in
        // its own file: V8 keeps a module's source text in the heap of every shell, and with the
        // map inline (and a comment's non-Latin-1 character making it a two-byte string) that
        // text was 4.5 MB per shell.
        minifyWhitespace: true,
        minifySyntax: true,
        charset: "ascii",
        sourcemap: "linked",
        logLevel: "silent",
        banner: {
          js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
        },
      });
      pruneChunks(directory);
    }
    return { file: process.execPath, args: [...nodeFlags, output] };
  } catch {
    return { file: process.execPath, args: [...nodeFlags, "--import", "tsx", entry] };
  }
}

/** Removes chunks of builds older than a day (no shell still runs from them). */
function pruneChunks(directory: string): void {
  const dayAgo = Date.now() - 24 * 60 * 60_000;
  for (const name of readdirSync(directory)) {
    if (!name.startsWith("chunk-")) continue;
    const file = path.join(directory, name);
    if (statSync(file).mtimeMs < dayAgo) rmSync(file, { force: true });
  }
}
