import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

/** The JavaScript a browser downloads to show one route for the first time. */
export interface RouteBundle {
  route: string;
  /** Sum of the first-load chunks, gzip-compressed as the server sends them. */
  gzipBytes: number;
  /** Sum of the first-load chunks as stored. */
  bytes: number;
}

/**
 * Reads the first-load JavaScript of every route from the production build's diagnostics
 * (.next/diagnostics/route-bundle-stats.json). Next 16 no longer prints these sizes itself.
 */
export function routeBundles(root: string): RouteBundle[] {
  const statsFile = path.join(root, ".next", "diagnostics", "route-bundle-stats.json");
  if (!existsSync(statsFile)) throw new Error(`no ${path.relative(root, statsFile)}: run next build first`);
  const stats = JSON.parse(readFileSync(statsFile, "utf8")) as { route: string; firstLoadChunkPaths: string[] }[];
  return stats
    .map(({ route, firstLoadChunkPaths }) => {
      let gzipBytes = 0;
      let bytes = 0;
      for (const chunk of firstLoadChunkPaths) {
        const content = readFileSync(path.join(root, chunk));
        bytes += content.length;
        gzipBytes += gzipSync(content).length;
      }
      return { route, gzipBytes, bytes };
    })
    .sort((a, b) => a.route.localeCompare(b.route));
}

/** The report printed after `next build`. */
export function formatBundleReport(bundles: readonly RouteBundle[]): string {
  const width = Math.max(5, ...bundles.map((bundle) => bundle.route.length));
  const kilobytes = (count: number) => `${(count / 1000).toFixed(1)} kB`.padStart(10);
  const lines = [`${"Route".padEnd(width)}  First load JS (gzip)   (uncompressed)`];
  for (const bundle of bundles) {
    lines.push(`${bundle.route.padEnd(width)}  ${kilobytes(bundle.gzipBytes)}           ${kilobytes(bundle.bytes)}`);
  }
  return lines.join("\n");
}

// `tsx server/bundleReport.ts` (run by `npm run build`) prints the report for this checkout.
if (import.meta.filename === process.argv[1]) {
  console.log(formatBundleReport(routeBundles(path.resolve(import.meta.dirname, ".."))));
}
