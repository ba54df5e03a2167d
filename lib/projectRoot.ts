/**
 * The folder holding package.json, lessons/ and data/. The server and the CLI set KUBELAB_ROOT from
 * their own location at start-up; code bundled by Next cannot locate itself (its files live under
 * .next/), so everything reads the root from here instead of from `import.meta`.
 */
export function projectRoot(): string {
  return process.env.KUBELAB_ROOT || process.cwd();
}
