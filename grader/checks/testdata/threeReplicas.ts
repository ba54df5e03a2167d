import type { CheckModule } from "../files";

/** An escape-hatch check module, as a lesson would place next to itself. */
export const check: CheckModule["check"] = async ({ cluster }) => {
  const info = await cluster.resolve("deployments");
  const deployment = await cluster.read(info, "default", "web");
  const replicas = (deployment?.spec as { replicas?: number } | undefined)?.replicas;
  return replicas === 3
    ? { pass: true, message: "Deployment web asks for 3 replicas" }
    : { pass: false, message: `Deployment web asks for ${replicas ?? "no"} replicas; expected 3` };
};
