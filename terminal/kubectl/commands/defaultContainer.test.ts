import { describe, expect, it } from "vitest";
import { defaultContainer } from "./defaultContainer";

const pod = (spec: object, annotations?: Record<string, string>) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", annotations },
  spec,
});

describe("defaultContainer (podcmd.FindOrDefaultContainerByName)", () => {
  it.each([
    { name: "one container: no notice", pod: pod({ containers: [{ name: "app" }] }), want: "app", notice: "" },
    {
      name: "several containers and an init container",
      pod: pod({ containers: [{ name: "a" }, { name: "b" }], initContainers: [{ name: "init" }] }),
      want: "a",
      notice: 'Defaulted container "a" out of: a, b, init (init)\n',
    },
    {
      name: "one container and an init container",
      pod: pod({ containers: [{ name: "app" }], initContainers: [{ name: "wait" }] }),
      want: "app",
      notice: 'Defaulted container "app" out of: app, wait (init)\n',
    },
    {
      name: "ephemeral containers before init ones",
      pod: pod({
        containers: [{ name: "app" }],
        initContainers: [{ name: "wait" }],
        ephemeralContainers: [{ name: "debugger" }],
      }),
      want: "app",
      notice: 'Defaulted container "app" out of: app, debugger (ephem), wait (init)\n',
    },
    {
      name: "the default-container annotation",
      pod: pod({ containers: [{ name: "a" }, { name: "b" }] }, { "kubectl.kubernetes.io/default-container": "b" }),
      want: "b",
      notice: "",
    },
    {
      name: "an annotation naming no container",
      pod: pod({ containers: [{ name: "a" }, { name: "b" }] }, { "kubectl.kubernetes.io/default-container": "zz" }),
      want: "a",
      notice: 'Defaulted container "a" out of: a, b\n',
    },
  ])("$name", ({ pod, want, notice }) => {
    let printed = "";
    expect(defaultContainer(pod, "", false, (text) => (printed += text))).toBe(want);
    expect(printed).toBe(notice);
  });

  it("is silent when quiet and returns an explicit name as given", () => {
    let printed = "";
    const several = pod({ containers: [{ name: "a" }, { name: "b" }] });
    expect(defaultContainer(several, "", true, (text) => (printed += text))).toBe("a");
    expect(defaultContainer(several, "b", false, (text) => (printed += text))).toBe("b");
    expect(printed).toBe("");
  });
});
