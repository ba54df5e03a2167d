import type { Command, CommandContext } from "../Command";
import { ApiStatusError, KubectlError } from "../errors";
import type { FlagSpec, Flags } from "../flags";
import { parseOutputFormat, printObject } from "../printers/output";
import type { KubeObject } from "./common";

/** The kinds --bound-object-kind takes, with their apiVersion (create_token.go's boundObjectKindToAPIVersions). */
const BOUND_OBJECT_KINDS: Record<string, string> = { Node: "v1", Pod: "v1", Secret: "v1" };

const supportedKinds = Object.keys(BOUND_OBJECT_KINDS).sort().join(", ");

/** create token's own PrintFlags (no custom columns, no wide) and its flags, worded as kubectl 1.32's help. */
const tokenFlags: FlagSpec[] = [
  {
    name: "allow-missing-template-keys",
    kind: "bool",
    default: true,
    usage:
      "If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats.",
  },
  {
    name: "audience",
    kind: "stringArray",
    usage:
      "Audience of the requested token. If unset, defaults to requesting a token for use with the Kubernetes API server. May be repeated to request a token valid for multiple audiences.",
  },
  {
    name: "bound-object-kind",
    kind: "string",
    usage: `Kind of an object to bind the token to. Supported kinds are ${supportedKinds}. If set, --bound-object-name must be provided.`,
  },
  {
    name: "bound-object-name",
    kind: "string",
    usage:
      "Name of an object to bind the token to. The token will expire when the object is deleted. Requires --bound-object-kind.",
  },
  {
    name: "bound-object-uid",
    kind: "string",
    usage:
      "UID of an object to bind the token to. Requires --bound-object-kind and --bound-object-name. If unset, the UID of the existing object is used.",
  },
  {
    name: "duration",
    kind: "duration",
    default: "0s",
    usage:
      "Requested lifetime of the issued token. If not set or if set to 0, the lifetime will be determined by the server automatically. The server may return a token with a longer or shorter lifetime.",
  },
  {
    name: "output",
    shorthand: "o",
    kind: "string",
    usage:
      "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).",
  },
  {
    name: "show-managed-fields",
    kind: "bool",
    usage: "If true, keep the managedFields when printing objects in JSON or YAML format.",
  },
  {
    name: "template",
    kind: "string",
    usage:
      "Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview].",
  },
];

/**
 * `kubectl create token SERVICE_ACCOUNT_NAME` (create_token.go): a TokenRequest POSTed to the
 * account's `token` subresource; the token is printed alone (with a newline only on a terminal),
 * or the TokenRequest through -o.
 */
export const createTokenCommand: Command = {
  name: "token",
  short: "Request a service account token",
  long: "Request a service account token.",
  use: "token SERVICE_ACCOUNT_NAME",
  examples: `  # Request a token to authenticate to the kube-apiserver as the service account "myapp" in the current namespace
  kubectl create token myapp
  
  # Request a token for a service account in a custom namespace
  kubectl create token myapp --namespace myns
  
  # Request a token with a custom expiration
  kubectl create token myapp --duration 10m
  
  # Request a token with a custom audience
  kubectl create token myapp --audience https://example.com
  
  # Request a token bound to an instance of a Secret object
  kubectl create token myapp --bound-object-kind Secret --bound-object-name mysecret
  
  # Request a token bound to an instance of a Secret object with a specific UID
  kubectl create token myapp --bound-object-kind Secret --bound-object-name mysecret --bound-object-uid 0d4691ed-659b-4935-a832-355f77ee47cc`,
  flags: tokenFlags,
  async run(context, flags) {
    if (flags.positional.length !== 1) {
      throw new KubectlError(
        `error: exactly one NAME is required, got ${flags.positional.length}\nSee 'kubectl create token -h' for help and examples`,
      );
    }
    const name = flags.positional[0];
    // Complete: the printer is made (and -o checked) before anything is validated or sent.
    const output = flags.string("output");
    const format = output
      ? parseOutputFormat(output, { tableAllowed: false, template: flags.string("template") })
      : undefined;
    const namespace = await context.namespace();
    validate(flags);
    const response = await requestToken(context, namespace, name, tokenRequestOf(flags));
    const token = (response.status as { token?: string } | undefined)?.token ?? "";
    if (!token) throw new KubectlError("error: failed to create token: no token in server response");
    if (format) {
      context.io.stdout(printObject(response, format, flags.bool("show-managed-fields")));
      return 0;
    }
    // kubectl ends the token with a newline only when printing to a terminal.
    context.io.stdout(context.io.isTerminal ? `${token}\n` : token);
    return 0;
  },
};

/** TokenOptions.Validate's checks, in its order and words. */
function validate(flags: Flags): void {
  const duration = flags.duration("duration");
  if (duration < 0) throw new KubectlError("error: --duration must be greater than or equal to 0");
  if (duration % 1000 !== 0) throw new KubectlError("error: --duration cannot be expressed in units less than seconds");
  if (flags.list("audience").some((audience) => audience === ""))
    throw new KubectlError("error: --audience must not be an empty string");
  const kind = flags.string("bound-object-kind");
  if (!kind) {
    if (flags.string("bound-object-name"))
      throw new KubectlError("error: --bound-object-name can only be set if --bound-object-kind is provided");
    if (flags.string("bound-object-uid"))
      throw new KubectlError("error: --bound-object-uid can only be set if --bound-object-kind is provided");
    return;
  }
  if (!(kind in BOUND_OBJECT_KINDS))
    throw new KubectlError(`error: supported --bound-object-kind values are ${supportedKinds}`);
  if (!flags.string("bound-object-name"))
    throw new KubectlError("error: --bound-object-name is required if --bound-object-kind is provided");
}

/** The TokenRequest kubectl sends: client-go encodes the empty fields its type does not omit. */
function tokenRequestOf(flags: Flags): KubeObject {
  const audiences = flags.list("audience");
  const spec: Record<string, unknown> = { audiences: audiences.length > 0 ? audiences : null };
  const seconds = flags.duration("duration") / 1000;
  if (seconds > 0) spec.expirationSeconds = seconds;
  const kind = flags.string("bound-object-kind");
  spec.boundObjectRef = kind
    ? {
        kind,
        apiVersion: BOUND_OBJECT_KINDS[kind],
        name: flags.string("bound-object-name"),
        ...(flags.string("bound-object-uid") ? { uid: flags.string("bound-object-uid") } : {}),
      }
    : null;
  return {
    kind: "TokenRequest",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { creationTimestamp: null as unknown as string },
    spec,
    status: { token: "", expirationTimestamp: null },
  };
}

/** POSTs the request; every failure is create_token.go's `failed to create token: <err>`. */
async function requestToken(
  context: CommandContext,
  namespace: string,
  name: string,
  request: KubeObject,
): Promise<KubeObject> {
  const client = await context.client();
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}/token`;
  try {
    return await client.json<KubeObject>("POST", path, { body: request });
  } catch (error) {
    if (error instanceof ApiStatusError)
      throw new KubectlError(`error: failed to create token: ${error.status.message ?? error.rawBody}`);
    throw error;
  }
}
