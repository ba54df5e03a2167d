import { type IFileSystem, InMemoryFs } from "just-bash";

type Methods = Required<IFileSystem>;

/**
 * The files of a ConfigMap, Secret, downward API or projected volume, held as their texts until
 * something touches the volume: the first call (a read from a container, a `kubectl exec … ls`, the
 * kubelet rewriting it) builds the in-memory file system and every call goes to it from then on.
 * Most pods never look at their volumes (every pod has the service-account projected volume), and
 * an InMemoryFs with its directory, entries and dates is about 2 KiB: this is a tenth of it.
 */
export class LazyVolumeFs implements Methods {
  private fs?: InMemoryFs;
  /** Path, text, path, text …: a record per volume had a hidden class of its own. */
  private files?: string[];
  private readonly mtime?: number;

  constructor(files: Record<string, string>, mtime: number | undefined) {
    const entries = Object.entries(files);
    const flat = new Array<string>(entries.length * 2);
    entries.forEach(([path, content], index) => {
      // Texts built by concatenation (a token's header.claims.signature) are kept in one piece.
      Number(content);
      flat[index * 2] = path;
      flat[index * 2 + 1] = content;
    });
    this.files = flat;
    this.mtime = mtime;
  }

  /** Whether the file system was built (for tests). */
  get built(): boolean {
    return this.fs !== undefined;
  }

  private get target(): InMemoryFs {
    if (!this.fs) {
      const fs = new InMemoryFs();
      // Each file keeps its text until something reads it (then it is encoded for that pod): their
      // text is often shared (every pod's ca.crt is its namespace's kube-root-ca.crt string).
      const mtime = this.mtime === undefined ? undefined : new Date(this.mtime);
      const files = this.files ?? [];
      for (let index = 0; index < files.length; index += 2) {
        const content = files[index + 1];
        fs.writeFileLazy(`/${files[index]}`, () => content, { mtime });
      }
      this.fs = fs;
      this.files = undefined;
    }
    return this.fs;
  }

  readFile(...args: Parameters<Methods["readFile"]>): ReturnType<Methods["readFile"]> {
    return this.target.readFile(...args) as ReturnType<Methods["readFile"]>;
  }
  readFileBytes(...args: Parameters<Methods["readFileBytes"]>): ReturnType<Methods["readFileBytes"]> {
    return this.target.readFileBytes(...args) as ReturnType<Methods["readFileBytes"]>;
  }
  readFileBuffer(...args: Parameters<Methods["readFileBuffer"]>): ReturnType<Methods["readFileBuffer"]> {
    return this.target.readFileBuffer(...args) as ReturnType<Methods["readFileBuffer"]>;
  }
  writeFile(...args: Parameters<Methods["writeFile"]>): ReturnType<Methods["writeFile"]> {
    return this.target.writeFile(...args) as ReturnType<Methods["writeFile"]>;
  }
  appendFile(...args: Parameters<Methods["appendFile"]>): ReturnType<Methods["appendFile"]> {
    return this.target.appendFile(...args) as ReturnType<Methods["appendFile"]>;
  }
  exists(...args: Parameters<Methods["exists"]>): ReturnType<Methods["exists"]> {
    return this.target.exists(...args) as ReturnType<Methods["exists"]>;
  }
  stat(...args: Parameters<Methods["stat"]>): ReturnType<Methods["stat"]> {
    return this.target.stat(...args) as ReturnType<Methods["stat"]>;
  }
  mkdir(...args: Parameters<Methods["mkdir"]>): ReturnType<Methods["mkdir"]> {
    return this.target.mkdir(...args) as ReturnType<Methods["mkdir"]>;
  }
  readdir(...args: Parameters<Methods["readdir"]>): ReturnType<Methods["readdir"]> {
    return this.target.readdir(...args) as ReturnType<Methods["readdir"]>;
  }
  readdirWithFileTypes(
    ...args: Parameters<Methods["readdirWithFileTypes"]>
  ): ReturnType<Methods["readdirWithFileTypes"]> {
    return this.target.readdirWithFileTypes(...args) as ReturnType<Methods["readdirWithFileTypes"]>;
  }
  rm(...args: Parameters<Methods["rm"]>): ReturnType<Methods["rm"]> {
    return this.target.rm(...args) as ReturnType<Methods["rm"]>;
  }
  cp(...args: Parameters<Methods["cp"]>): ReturnType<Methods["cp"]> {
    return this.target.cp(...args) as ReturnType<Methods["cp"]>;
  }
  mv(...args: Parameters<Methods["mv"]>): ReturnType<Methods["mv"]> {
    return this.target.mv(...args) as ReturnType<Methods["mv"]>;
  }
  resolvePath(...args: Parameters<Methods["resolvePath"]>): ReturnType<Methods["resolvePath"]> {
    return this.target.resolvePath(...args) as ReturnType<Methods["resolvePath"]>;
  }
  getAllPaths(): string[] {
    return this.target.getAllPaths();
  }
  chmod(...args: Parameters<Methods["chmod"]>): ReturnType<Methods["chmod"]> {
    return this.target.chmod(...args) as ReturnType<Methods["chmod"]>;
  }
  symlink(...args: Parameters<Methods["symlink"]>): ReturnType<Methods["symlink"]> {
    return this.target.symlink(...args) as ReturnType<Methods["symlink"]>;
  }
  link(...args: Parameters<Methods["link"]>): ReturnType<Methods["link"]> {
    return this.target.link(...args) as ReturnType<Methods["link"]>;
  }
  readlink(...args: Parameters<Methods["readlink"]>): ReturnType<Methods["readlink"]> {
    return this.target.readlink(...args) as ReturnType<Methods["readlink"]>;
  }
  lstat(...args: Parameters<Methods["lstat"]>): ReturnType<Methods["lstat"]> {
    return this.target.lstat(...args) as ReturnType<Methods["lstat"]>;
  }
  realpath(...args: Parameters<Methods["realpath"]>): ReturnType<Methods["realpath"]> {
    return this.target.realpath(...args) as ReturnType<Methods["realpath"]>;
  }
  utimes(...args: Parameters<Methods["utimes"]>): ReturnType<Methods["utimes"]> {
    return this.target.utimes(...args) as ReturnType<Methods["utimes"]>;
  }
}
