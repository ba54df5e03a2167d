/** `/version`: the Kubernetes release this API server speaks (1.32), as version.Info. */
export function versionInfo(gitVersion: string): object {
  const match = /^v(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: match?.[1] ?? "1",
    minor: match?.[2] ?? "32",
    gitVersion,
    gitCommit: "kubelab",
    gitTreeState: "clean",
    buildDate: "2025-04-22T16:00:00Z",
    goVersion: "go1.23.6",
    compiler: "gc",
    platform: "linux/amd64",
  };
}
