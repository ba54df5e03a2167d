"use client";

import { useState } from "react";

/**
 * "Reset cluster" and "Download kubeconfig" for the learner's own practice cluster. Reset asks
 * first, then replaces the cluster with a fresh one (in the lesson's starting state when it has one).
 *
 * `startingState` is "not-loaded" when the lesson prepares a cluster and the learner's cluster was
 * last reset for another lesson (or never): a banner then offers to load it. Opening a lesson never
 * replaces a cluster by itself, since the learner's own work would go with it.
 */
export function ClusterActions({
  lessonId,
  startingState,
}: {
  lessonId: string;
  startingState?: "loaded" | "not-loaded";
}) {
  const [state, setState] = useState<"idle" | "resetting" | "done" | "failed">("idle");
  const [message, setMessage] = useState("");
  async function reset() {
    if (!window.confirm("Reset your cluster? Everything you created in it is deleted.")) return;
    setState("resetting");
    try {
      const response = await fetch("/api/clusters/mine/reset", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ lessonId }),
      });
      const body = (await response.json()) as { error?: string };
      if (!response.ok) throw new Error(body.error ?? response.statusText);
      setState("done");
      setMessage("Your cluster was reset.");
    } catch (error) {
      setState("failed");
      setMessage((error as Error).message);
    }
  }
  const offerStartingState = startingState === "not-loaded" && state !== "done";
  return (
    <div className="cluster-actions" data-testid="cluster-actions">
      {offerStartingState ? (
        <p className="starting-state-banner" data-testid="starting-state-banner">
          This lesson starts from a prepared cluster, and yours is not in that state yet.{" "}
          <button type="button" onClick={reset} disabled={state === "resetting"} data-testid="load-starting-state">
            Load the lesson&apos;s cluster
          </button>{" "}
          (it replaces your current cluster).
        </p>
      ) : null}
      <button type="button" onClick={reset} disabled={state === "resetting"} data-testid="reset-cluster">
        {state === "resetting" ? "Resetting…" : "Reset cluster"}
      </button>
      <a href="/api/clusters/mine/kubeconfig" download="kubelab-kubeconfig.yaml" data-testid="download-kubeconfig">
        Download kubeconfig
      </a>
      {message ? (
        <span role="status" data-status={state}>
          {message}
        </span>
      ) : null}
    </div>
  );
}
