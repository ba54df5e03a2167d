import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { sleep } from "./common";

describe("sleep", () => {
  it("takes its abort listener away when it ends, so poll loops don't pile them up", async () => {
    const controller = new AbortController();
    for (let round = 0; round < 20; round++) await sleep(1, controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("ends early when the signal aborts", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const sleeping = sleep(60_000, controller.signal);
    controller.abort();
    await sleeping;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("returns at once for a signal already aborted", async () => {
    await sleep(60_000, AbortSignal.abort());
  });
});
