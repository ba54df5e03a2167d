import { describe, expect, it } from "vitest";
import { chooseEditor } from "./editorChoice";

describe("chooseEditor", () => {
  it.each([
    { name: "vi by default", env: {}, choice: { flavour: "vi" } },
    { name: "KUBE_EDITOR=nano", env: { KUBE_EDITOR: "nano" }, choice: { flavour: "nano" } },
    { name: "EDITOR=nano", env: { EDITOR: "nano" }, choice: { flavour: "nano" } },
    { name: "KUBE_EDITOR before EDITOR", env: { KUBE_EDITOR: "vim", EDITOR: "nano" }, choice: { flavour: "vi" } },
    {
      name: "an empty KUBE_EDITOR falls through",
      env: { KUBE_EDITOR: "", EDITOR: "nano" },
      choice: { flavour: "nano" },
    },
    { name: "a path", env: { KUBE_EDITOR: "/usr/bin/vim" }, choice: { flavour: "vi" } },
    { name: "/bin/nano", env: { EDITOR: "/bin/nano" }, choice: { flavour: "nano" } },
    { name: "options", env: { KUBE_EDITOR: "nano -w" }, choice: { flavour: "nano" } },
    {
      name: "a command not on the PATH",
      env: { KUBE_EDITOR: "code --wait" },
      choice: { error: 'unable to launch the editor "code --wait"' },
    },
    { name: "emacs", env: { EDITOR: "emacs" }, choice: { error: 'unable to launch the editor "emacs"' } },
    {
      name: "a path that does not exist",
      env: { KUBE_EDITOR: "/opt/vim" },
      choice: { error: 'there was a problem with the editor "/opt/vim"' },
    },
    {
      name: "quotes go through the shell",
      env: { KUBE_EDITOR: "'nano' -w", SHELL: "/bin/bash" },
      choice: { flavour: "nano" },
    },
    {
      name: "a shell command that fails",
      env: { KUBE_EDITOR: "'subl' -w" },
      choice: { error: "there was a problem with the editor \"/bin/bash -c 'subl' -w\"" },
    },
  ])("$name", ({ env, choice }) => {
    expect(chooseEditor(env)).toEqual(choice);
  });
});
