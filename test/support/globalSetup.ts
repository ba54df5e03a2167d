import path from "node:path";
import { ensureProductionBuild } from "../../server/prepare";

/** Builds the app once for all integration and browser tests, unless .next is already current. */
export default function setup(): void {
  ensureProductionBuild(path.resolve(import.meta.dirname, "..", ".."), (message) => console.log(message));
}
