import { describe, expect, it } from "vitest";
import { learnerIdFromCookieHeader, learnerSetCookieHeader, withLearnerCookie } from "./learnerCookie";

const id = "0f8fad5b-d9cb-469f-a165-70867728950e";

describe("learnerIdFromCookieHeader", () => {
  it.each([
    { name: "no header", header: undefined, expected: undefined },
    { name: "only the learner cookie", header: `kubelab_learner=${id}`, expected: id },
    { name: "among other cookies", header: `theme=dark; kubelab_learner=${id}; x=1`, expected: id },
    { name: "a malformed id", header: "kubelab_learner=../../etc", expected: undefined },
    { name: "an upper-case id", header: `kubelab_learner=${id.toUpperCase()}`, expected: undefined },
    { name: "a similar cookie name", header: `kubelab_learner2=${id}`, expected: undefined },
  ])("$name", ({ header, expected }) => {
    expect(learnerIdFromCookieHeader(header)).toBe(expected);
  });
});

describe("learner cookie headers", () => {
  it("is httpOnly, SameSite=Lax, site-wide and long-lived", () => {
    const header = learnerSetCookieHeader(id, { secure: false });
    expect(header).toMatch(new RegExp(`^kubelab_learner=${id}; `));
    expect(header).toContain("HttpOnly");
    expect(header).toContain("SameSite=Lax");
    expect(header).toContain("Path=/");
    expect(header).toMatch(/Max-Age=\d{8}/);
    expect(header).not.toContain("Secure");
    expect(learnerSetCookieHeader(id, { secure: true })).toContain("; Secure");
  });

  it("adds the cookie to a request header, replacing a malformed one", () => {
    expect(withLearnerCookie(undefined, id)).toBe(`kubelab_learner=${id}`);
    expect(withLearnerCookie("a=1; kubelab_learner=bad", id)).toBe(`a=1; kubelab_learner=${id}`);
  });
});
