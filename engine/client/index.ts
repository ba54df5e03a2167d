export type { Client, ListOptions, WatchOptions, WriteOptions, DeleteOptions, PatchType } from "./Client";
export { createClient, ADMIN_USER } from "./createClient";
