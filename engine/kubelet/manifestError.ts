import { LineCounter, parseDocument } from "yaml";

/**
 * go-yaml's words for the mistakes made most, by the `yaml` package's error code (as
 * terminal/kubectl's goYamlError words them); others keep the `yaml` package's message.
 */
const goYamlReasons: Record<string, string> = {
  BLOCK_AS_IMPLICIT_KEY: "mapping values are not allowed in this context",
  BAD_INDENT: "did not find expected key",
  TAB_AS_INDENT: "found character that cannot start any token",
  MULTILINE_IMPLICIT_KEY: "could not find expected ':'",
  MISSING_CHAR: "found unexpected end of stream",
};

/** JSON as Go's encoding/json writes a map: keys sorted, no spaces (what sigs.k8s.io/yaml makes of YAML). */
function goJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${goJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Why the kubelet's file source cannot take a static pod manifest, as config/file.go's
 * extractFromFile words it (`<file>: couldn't parse as pod(<reason>), please check config file`),
 * or undefined when it is a Pod. The reason is go-yaml's for a syntax error, or the decoder's
 * `Object 'Kind' is missing in '<json>'` / `Object 'apiVersion' is missing in '<json>'`.
 */
export function manifestError(file: string, content: string): string | undefined {
  const lineCounter = new LineCounter();
  const document = parseDocument(content, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const syntax = document.errors[0];
  let reason: string | undefined;
  if (syntax) {
    const line = lineCounter.linePos(syntax.pos[0]).line;
    const own = (syntax.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
    reason = `yaml: line ${line}: ${goYamlReasons[syntax.code] ?? own.charAt(0).toLowerCase() + own.slice(1)}`;
  } else {
    const object = document.toJS() as Record<string, unknown> | null;
    if (!object || typeof object !== "object" || !object.kind)
      reason = `Object 'Kind' is missing in '${goJson(object)}'`;
    else if (!object.apiVersion) reason = `Object 'apiVersion' is missing in '${goJson(object)}'`;
    else if (object.kind !== "Pod") reason = `invalid pod: kind ${JSON.stringify(object.kind)} is not Pod`;
  }
  return reason === undefined ? undefined : `${file}: couldn't parse as pod(${reason}), please check config file`;
}
