import type { Secret } from "../../api/core";
import { Secrets } from "../../api/resources";
import type { ControllerContext, Informer, WorkQueue } from "../runtime/types";
import { isNotFound } from "../shared/claim";
import { TOKEN_SECRET_NAMESPACE, TOKEN_SECRET_TYPE, tokenExpiry } from "./tokens";

const KEY = "tokens";

/**
 * kube-controller-manager's tokencleaner (pkg/controller/bootstrap/tokencleaner.go): deletes a
 * bootstrap token Secret in kube-system once its `expiration` has passed. Upstream re-queues each
 * Secret after its TTL; here one key covers them all and waits for the earliest expiry, so the
 * cleaner holds one timer at most and none while no token can expire.
 */
export class TokenCleaner {
  private readonly queue: WorkQueue;
  private readonly secrets: Informer<Secret>;

  constructor(private readonly context: ControllerContext) {
    this.secrets = context.informer<Secret>(Secrets);
    this.queue = context.loop("token_cleaner", () => this.clean());
    const changed = (secret: Secret) => {
      if (secret.metadata.namespace === TOKEN_SECRET_NAMESPACE && secret.type === TOKEN_SECRET_TYPE)
        this.queue.add(KEY);
    };
    this.secrets.addHandlers({ add: changed, update: (_old, secret) => changed(secret) });
  }

  private async clean(): Promise<void> {
    const now = this.context.clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const secret of this.secrets.list(TOKEN_SECRET_NAMESPACE)) {
      if (secret.type !== TOKEN_SECRET_TYPE || secret.metadata.deletionTimestamp) continue;
      const expires = tokenExpiry(secret);
      if (expires === undefined) continue;
      if (expires > now) {
        next = Math.min(next, expires);
        continue;
      }
      const name = secret.metadata.name ?? "";
      this.context.log(`Deleting expired secret ${TOKEN_SECRET_NAMESPACE}/${name}`);
      try {
        await this.context.client.delete(Secrets, TOKEN_SECRET_NAMESPACE, name, {
          preconditions: { uid: secret.metadata.uid },
        });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    if (Number.isFinite(next)) this.queue.addAfter(KEY, next - now);
  }
}
