import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./renderMarkdown";

describe("renderMarkdown", () => {
  it("escapes raw HTML instead of passing it through", () => {
    const html = renderMarkdown('Hello <script>alert("x")</script> <img src=x onerror=alert(1)>');
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;");
  });

  it("refuses javascript: links", () => {
    const html = renderMarkdown("[click](javascript:alert(1))");
    expect(html).not.toContain('href="javascript:');
  });

  it("highlights fenced code on the server", () => {
    const html = renderMarkdown("```yaml\napiVersion: v1\nkind: Pod\n```\n");
    expect(html).toContain('<code class="language-yaml">');
    expect(html).toContain('<span class="hljs-attr">apiVersion:</span>');
  });

  it("escapes code in an unknown language", () => {
    const html = renderMarkdown("```nosuchlanguage\n<b>bold</b>\n```\n");
    expect(html).toContain("&lt;b&gt;bold&lt;/b&gt;");
    expect(html).not.toContain("hljs");
  });

  it("opens links to other sites in a new tab without access to the page", () => {
    expect(renderMarkdown("[k8s](https://kubernetes.io/)")).toContain('target="_blank" rel="noopener noreferrer"');
    expect(renderMarkdown("[next](/lessons/first-pod)")).not.toContain("target=");
  });
});
