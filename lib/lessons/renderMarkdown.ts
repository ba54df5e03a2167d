import "server-only";
import hljs from "highlight.js";
import MarkdownIt from "markdown-it";

// html: false escapes any raw HTML written in a lesson, so nothing from a lesson file reaches the page
// unescaped; markdown-it also refuses javascript:, vbscript: and data: links by default.
const markdown = new MarkdownIt({
  html: false,
  linkify: true,
  typographer: false,
  highlight(code, language) {
    const name = language.trim().toLowerCase();
    if (name && hljs.getLanguage(name)) {
      return hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
    }
    // An unknown or missing language: markdown-it escapes the code itself.
    return "";
  },
});

// Links to other sites open in a new tab and get no access to this page.
const defaultLinkOpen =
  markdown.renderer.rules.link_open ??
  ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options));
markdown.renderer.rules.link_open = (tokens, index, options, env, self) => {
  const token = tokens[index];
  const href = String(token?.attrGet("href") ?? "");
  if (token && /^https?:\/\//i.test(href)) {
    token.attrSet("target", "_blank");
    token.attrSet("rel", "noopener noreferrer");
  }
  return defaultLinkOpen(tokens, index, options, env, self);
};

/**
 * Renders lesson Markdown to HTML on the server, with code blocks highlighted by highlight.js
 * (fenced blocks name their language: ```yaml, ```bash …), so no highlighter ships to the browser.
 */
export function renderMarkdown(source: string): string {
  return markdown.render(source);
}
