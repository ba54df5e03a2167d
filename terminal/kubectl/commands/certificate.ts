import type { Command, CommandContext } from "../Command";
import type { ResourceInfo } from "../Discovery";
import { resourcePath } from "../Discovery";
import { ApiStatusError, formatApiError, KubectlError } from "../errors";
import type { Flags } from "../flags";
import { filenameFlags, type KubeObject, printFlags } from "./common";
import { printResult } from "./mutation";

/**
 * `kubectl certificate approve|deny` (cmd/certificates): each CSR named or in -f files gets the
 * Approved (Denied) condition through the `approval` subresource, unless it already has it (then
 * it is only printed, or re-sent with --force); one that has the opposite condition is an error.
 * Errors are reported after the other requests are done (the builder's ContinueOnError).
 */

interface Decision {
  operation: "approved" | "denied";
  type: "Approved" | "Denied";
  opposite: "Denied" | "Approved";
  reason: string;
  message: string;
}

const APPROVE: Decision = {
  operation: "approved",
  type: "Approved",
  opposite: "Denied",
  reason: "KubectlApprove",
  message: "This CSR was approved by kubectl certificate approve.",
};

const DENY: Decision = {
  operation: "denied",
  type: "Denied",
  opposite: "Approved",
  reason: "KubectlDeny",
  message: "This CSR was denied by kubectl certificate deny.",
};

/** The CSR names the arguments and -f files give, in order (files first, as the builder visits them). */
async function requestedNames(context: CommandContext, flags: Flags, info: ResourceInfo): Promise<string[]> {
  const names: string[] = [];
  if (flags.list("filename").length > 0) {
    const { readManifests } = await import("../manifests");
    for (const manifest of await readManifests(context.io, flags.list("filename"), flags.bool("recursive"))) {
      const kind = String(manifest.object.kind ?? "");
      const group = String(manifest.object.apiVersion ?? "").split("/")[0];
      if (kind !== info.kind || group !== info.group)
        throw new KubectlError(
          `error: can only handle CertificateSigningRequest.certificates.k8s.io objects, got ${kind}${group && String(manifest.object.apiVersion).includes("/") ? `.${group}` : ""}`,
        );
      names.push(String(manifest.object.metadata?.name ?? ""));
    }
  }
  return [...names, ...flags.positional];
}

/** addConditionIfNeeded: the CSR with the condition added, or whether it already had it. */
function withCondition(csr: KubeObject, decision: Decision, now: string): { csr: KubeObject; had: boolean } {
  const conditions: Array<{ type?: string }> = csr.status?.conditions ?? [];
  for (const condition of conditions) {
    if (condition.type === decision.opposite)
      throw new KubectlError(
        `error: certificate signing request ${JSON.stringify(csr.metadata?.name)} is already ${decision.opposite}`,
      );
  }
  if (conditions.some((condition) => condition.type === decision.type)) return { csr, had: true };
  const added = {
    type: decision.type,
    status: "True",
    reason: decision.reason,
    message: decision.message,
    lastUpdateTime: now,
  };
  return { csr: { ...csr, status: { ...(csr.status ?? {}), conditions: [...conditions, added] } }, had: false };
}

async function decide(context: CommandContext, flags: Flags, decision: Decision): Promise<number> {
  const discovery = await context.discovery();
  const info = await discovery.resolve("certificatesigningrequests.certificates.k8s.io");
  const names = await requestedNames(context, flags, info);
  if (names.length === 0)
    throw new KubectlError("error: one or more CSRs must be specified as <name> or -f <filename>");
  const client = await context.client();
  const errors: string[] = [];
  let found = 0;
  for (const name of names) {
    try {
      const fetched = await client.get<KubeObject>(resourcePath(info, undefined, name));
      // Retried on a conflict up to ten times, re-reading the request, as the command does.
      for (let attempt = 0; ; attempt++) {
        const current = attempt === 0 ? fetched : await client.get<KubeObject>(resourcePath(info, undefined, name));
        const now = context
          .now()
          .toISOString()
          .replace(/\.\d{3}Z$/, "Z");
        const { csr, had } = withCondition(current, decision, now);
        if (had && !flags.bool("force")) break;
        try {
          await client.json("PUT", `${resourcePath(info, undefined, name)}/approval`, { body: csr });
          break;
        } catch (error) {
          if (error instanceof ApiStatusError && error.reason === "Conflict" && attempt < 10) continue;
          throw error;
        }
      }
      found++;
      // The builder's object, as read before the change, is what gets printed.
      printResult(
        context,
        flags,
        info,
        { apiVersion: "certificates.k8s.io/v1", kind: info.kind, ...fetched },
        decision.operation,
        "none",
      );
    } catch (error) {
      if (error instanceof ApiStatusError) errors.push(formatApiError(error));
      else if (error instanceof KubectlError) errors.push(error.message);
      else throw error;
    }
  }
  if (found === 0 && errors.length === 0) context.io.stdout("No resources found\n");
  if (errors.length > 0) throw new KubectlError(errors.join("\n"));
  return 0;
}

function decisionCommand(name: "approve" | "deny", decision: Decision, short: string): Command {
  return {
    name,
    short,
    use: `${name} (-f FILENAME | NAME)`,
    flags: [
      ...printFlags,
      {
        name: "force",
        kind: "bool",
        usage: `Update the CSR even if it is already ${decision.operation}.`,
      },
      ...filenameFlags("identifying the resource to update"),
    ],
    run: (context, flags) => decide(context, flags, decision),
  };
}

/** `kubectl certificate`. */
export const certificateCommand: Command = {
  name: "certificate",
  short: "Modify certificate resources.",
  long: "Modify certificate resources.",
  use: "certificate SUBCOMMAND",
  subcommands: [
    decisionCommand("approve", APPROVE, "Approve a certificate signing request"),
    decisionCommand("deny", DENY, "Deny a certificate signing request"),
  ],
};
