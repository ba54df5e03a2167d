import { describe, expect, it } from "vitest";
import { accessTable } from "./misc";

describe("kubectl auth can-i --list's table", () => {
  it("breaks rules down, merges verbs per resource and sorts by the rule's Go string (verbs first)", () => {
    const rules = accessTable({
      resourceRules: [
        { verbs: ["get", "list"], apiGroups: ["", "apps"], resources: ["pods"] },
        { verbs: ["watch", "get"], apiGroups: [""], resources: ["pods"] },
        { verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a", "b"] },
        { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
      ],
      nonResourceRules: [{ verbs: ["get"], nonResourceURLs: ["/healthz", "/api"] }],
    });
    // Go's string order: "[get list watch]" < "[get list]" < "[get]" (' ' < ']'), and an empty
    // "Resources:[]" (non-resource rules) before "Resources:[configmaps]".
    expect(rules).toEqual([
      { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["apps"], resources: ["pods"], verbs: ["get", "list"] },
      { nonResourceURLs: ["/api"], verbs: ["get"] },
      { nonResourceURLs: ["/healthz"], verbs: ["get"] },
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get"], resourceNames: ["a"] },
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get"], resourceNames: ["b"] },
    ]);
  });
});
