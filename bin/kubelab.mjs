#!/usr/bin/env node
// The `kubelab` command (package.json "bin"): runs cli/main.ts under tsx.
import { registerRuntime } from "./register.mjs";

registerRuntime();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
