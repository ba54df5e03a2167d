import type { Component } from "./Component";

/**
 * A component that runs only while `holds()` is true, checked whenever `status` changes: stopped
 * when it turns false, started anew (a fresh process, re-listing what it watches) when it turns
 * true, as the component's static pod going away and coming back does. Costs nothing while the
 * gate does not change.
 */
export function startGated(
  status: { subscribe(listener: () => void): () => void },
  holds: () => boolean,
  start: () => Component | Component[] | Promise<Component | Component[]>,
): Component {
  let current: Component[] | undefined;
  let starting: Promise<void> | undefined;
  let stopped = false;
  const stopCurrent = () => {
    for (const component of current ?? []) component.stop();
    current = undefined;
  };
  const reconcile = (): void => {
    if (stopped || starting) return;
    if (holds() && !current) {
      starting = Promise.resolve(start()).then(
        (result) => {
          starting = undefined;
          current = Array.isArray(result) ? result : [result];
          // The gate may have changed while it started.
          if (stopped || !holds()) stopCurrent();
          if (!stopped) reconcile();
        },
        () => {
          starting = undefined;
        },
      );
    } else if (!holds() && current) {
      stopCurrent();
    }
  };
  const unsubscribe = status.subscribe(reconcile);
  reconcile();
  return {
    stop() {
      stopped = true;
      unsubscribe();
      stopCurrent();
    },
  };
}
