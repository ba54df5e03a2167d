import { describe, expect, it } from "vitest";
import { cookedLineDiscipline } from "./lineDiscipline";

function harness() {
  const events: string[] = [];
  let screen = "";
  const keys = cookedLineDiscipline({
    echo: (text) => {
      screen += text;
    },
    send: (text) => events.push(`send ${JSON.stringify(text)}`),
    end: () => events.push("end"),
    interrupt: () => events.push("interrupt"),
  });
  return { keys, events, screen: () => screen };
}

describe("cookedLineDiscipline (kubectl run -i / attach -i without -t at the learner's terminal)", () => {
  it("echoes, edits and sends whole lines with a newline; Ctrl-D on an empty line is EOF", () => {
    const h = harness();
    h.keys("helx\x7flo\r");
    h.keys("wörld\r\x04");
    h.keys("ignored after EOF\r");
    expect(h.events).toEqual(['send "hello\\n"', 'send "wörld\\n"', "end"]);
    expect(h.screen()).toBe("helx\b \blo\nwörld\n");
  });

  it("Ctrl-D after text sends the text without a newline (as a tty's VEOF does), Ctrl-U kills the line", () => {
    const h = harness();
    h.keys("abc\x15xyz\x04");
    expect(h.events).toEqual(['send "xyz"']);
    expect(h.screen()).toBe("abc\b \b\b \b\b \bxyz");
  });

  it("Ctrl-C interrupts and shows ^C", () => {
    const h = harness();
    h.keys("partial\x03more");
    expect(h.events).toEqual(["interrupt"]);
    expect(h.screen()).toBe("partial^C\n");
  });
});
