import { LineCounter, parseDocument } from "yaml";

/**
 * go-yaml's words for the mistakes learners make most, by the `yaml` package's error code. Others
 * keep the `yaml` package's own message.
 */
const goYamlReasons: Record<string, string> = {
  BLOCK_AS_IMPLICIT_KEY: "mapping values are not allowed in this context",
  BAD_INDENT: "did not find expected key",
  TAB_AS_INDENT: "found character that cannot start any token",
  MULTILINE_IMPLICIT_KEY: "could not find expected ':'",
  MISSING_CHAR: "found unexpected end of stream",
};

/**
 * The syntax error of YAML text as go-yaml (sigs.k8s.io/yaml) words it, `yaml: line 14: mapping
 * values are not allowed in this context`, or undefined when the text parses.
 */
export function goYamlError(text: string): string | undefined {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const error = document.errors[0];
  if (!error) return undefined;
  const line = lineCounter.linePos(error.pos[0]).line;
  const own = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
  const reason = goYamlReasons[error.code] ?? own.charAt(0).toLowerCase() + own.slice(1);
  return `yaml: line ${line}: ${reason}`;
}
