// The production server exactly as `npm start` runs it: server/mounts.ts mounts the learners'
// clusters at /clusters/<id>/ and their terminals, each shell's kubectl pointed at its learner's
// own cluster. KUBELAB_DATA_DIR (set by the test) keeps clusters, homes and the database apart.
import path from "node:path";
import { runServer } from "../../server/runServer";

await runServer({ root: path.resolve(import.meta.dirname, "..", ".."), dev: false });
