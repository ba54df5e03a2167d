import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(fileURLToPath(import.meta.url));

/** @type {import("next").NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // `npm run typecheck` checks the whole project (with the engine's stricter settings); the build
  // does not repeat it.
  typescript: { ignoreBuildErrors: true },
  // Native and engine-loading packages run from node_modules instead of being bundled.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "node-pty"],
  turbopack: { root },
  outputFileTracingRoot: root,
};

export default nextConfig;
