/**
 * How the store holds values compactly. Two things made a stored JSON value cost far more than it
 * needs to:
 *
 * - `JSON.stringify` builds its result in parts joined by concatenation: the string it returns is a
 *   tree of a few dozen pieces, about a fifth larger than the same text in one piece. The store
 *   keeps values in one piece ({@link flatten}).
 * - Objects of one resource are nearly the same text: two pods of a Deployment differ in their
 *   names, uids, IPs, container ids and a few field-set keys (managedFields), two kubelet Events in
 *   their names, uids and messages. A value is held as a delta against a recent value of its
 *   resource, its *base* ({@link pack}): the runs it shares with the base as positions in it, the
 *   rest as its own text. A value that is not close to the base becomes the resource's next base.
 *   Reading puts the text together again (a few slices and concatenations): what a reader gets is
 *   exactly the text that was written; etcd's own representation (protobuf, bytes) is no more
 *   visible to its clients than this one.
 */

/** Matches are found through blocks of this many characters (the shortest run worth a copy). */
const BLOCK = 12;
/**
 * A delta within this share of the text's own size is taken at once; one that is not, against any
 * of the resource's recent bases, makes the text a new base.
 */
const DELTA_RATIO = 0.25;
/** Recent bases per resource tried for a value (the most recently used first). */
const BASES = 4;
/** Values shorter than this are kept as they are. */
const MIN_PACKED_LENGTH = 256;
/** Rough heap bytes of a delta besides its characters (the object, two string headers, the key state's slot). */
const DELTA_COST = 64;
/** Positions and lengths are char codes: a base longer than this is not used (the value becomes a base). */
const MAX_CODE = 0xffff;

/**
 * The string in one piece. Converting it to a number makes V8 flatten a concatenation tree in place;
 * the collector then drops the tree for the flat text. Returns the same (equal) string.
 */
export function flatten(value: string): string {
  Number(value);
  return value;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A fresh copy of a piece of a string, so the piece does not keep the whole string alive. */
function copy(piece: string): string {
  return piece.length < 13 ? piece : decoder.decode(encoder.encode(piece));
}

/** A base: a value in one piece and where its blocks start, by their hash. */
export class Base {
  readonly text: string;
  private index?: Map<number, number>;

  constructor(text: string) {
    this.text = flatten(text);
  }

  /** The position of a block with this hash (the first one), built on first use. */
  find(hash: number): number | undefined {
    if (!this.index) {
      this.index = new Map();
      const text = this.text;
      for (let at = 0; at + BLOCK <= text.length; at += BLOCK) {
        const hash = blockHash(text, at);
        if (!this.index.has(hash)) this.index.set(hash, at);
      }
    }
    return this.index.get(hash);
  }
}

/**
 * A value held as a delta against `base`: `ops` is a string of char codes, in threes (how many
 * characters of `literals` come next, then the position and length of a run copied from the base),
 * `literals` the value's own text in one string. Two small strings, however many runs.
 */
export interface Delta {
  readonly base: Base;
  readonly literals: string;
  readonly ops: string;
  readonly length: number;
}

const MULTIPLIER = 31;
/** MULTIPLIER ** (BLOCK - 1), modulo 2^32: what the outgoing character weighs in a rolling hash. */
const OUTGOING = (() => {
  let weight = 1;
  for (let step = 1; step < BLOCK; step++) weight = Math.imul(weight, MULTIPLIER);
  return weight;
})();

function blockHash(text: string, at: number): number {
  let hash = 0;
  for (let offset = 0; offset < BLOCK; offset++)
    hash = (Math.imul(hash, MULTIPLIER) + text.charCodeAt(at + offset)) | 0;
  return hash;
}

/**
 * `value` as a delta against `base`, or undefined when the delta would not be much smaller than the
 * value (greedy: every block of the value is looked up among the base's aligned blocks, a hit is
 * extended both ways, what lies between hits is literal text).
 */
function encode(value: string, base: Base, budget: number): Delta | undefined {
  const text = base.text;
  const ops: number[] = [];
  let literals = "";
  let literalStart = 0;
  let at = 0;
  let hash = blockHash(value, 0);
  while (at + BLOCK <= value.length) {
    const candidate = base.find(hash);
    if (candidate !== undefined) {
      let forward = 0;
      while (
        at + forward < value.length &&
        candidate + forward < text.length &&
        forward < MAX_CODE &&
        value.charCodeAt(at + forward) === text.charCodeAt(candidate + forward)
      ) {
        forward++;
      }
      if (forward >= BLOCK) {
        let back = 0;
        while (
          at - back > literalStart &&
          candidate - back > 0 &&
          forward + back < MAX_CODE &&
          value.charCodeAt(at - back - 1) === text.charCodeAt(candidate - back - 1)
        ) {
          back++;
        }
        const literal = at - back - literalStart;
        if (literal > MAX_CODE) return undefined;
        if (literal > 0) literals += value.slice(literalStart, at - back);
        ops.push(literal, candidate - back, forward + back);
        if (literals.length + ops.length * 2 > budget) return undefined;
        at += forward;
        literalStart = at;
        if (at + BLOCK <= value.length) hash = blockHash(value, at);
        continue;
      }
    }
    if (at + BLOCK < value.length) {
      hash =
        (Math.imul(hash - Math.imul(value.charCodeAt(at), OUTGOING), MULTIPLIER) + value.charCodeAt(at + BLOCK)) | 0;
    }
    at++;
  }
  if (literalStart < value.length) {
    if (value.length - literalStart > MAX_CODE) return undefined;
    literals += value.slice(literalStart);
    ops.push(value.length - literalStart, 0, 0);
  }
  if (literals.length + ops.length * 2 > budget) return undefined;
  return { base, literals: copy(literals), ops: String.fromCharCode(...ops), length: value.length };
}

/** The text of a delta. */
export function unpack(delta: Delta): string {
  const text = delta.base.text;
  const { literals, ops } = delta;
  let value = "";
  let literal = 0;
  for (let index = 0; index < ops.length; index += 3) {
    const length = ops.charCodeAt(index);
    if (length > 0) {
      value += literals.slice(literal, literal + length);
      literal += length;
    }
    const copied = ops.charCodeAt(index + 2);
    if (copied > 0) {
      const position = ops.charCodeAt(index + 1);
      value += text.slice(position, position + copied);
    }
  }
  return value;
}

/**
 * Packs the values of one kind (one resource): each against the first of the resource's recent
 * bases it is close to (pods of another Deployment, Events of another reason are not close to the
 * latest one); a value close to none becomes a base itself.
 */
export class Packer {
  private readonly bases: Base[] = [];

  /** The value in one piece, or as a delta against a recent base. */
  pack(value: string): string | Delta {
    // Text with surrogates is kept whole: literal pieces are copied through UTF-8.
    if (value.length < MIN_PACKED_LENGTH || value.length > MAX_CODE || /[\uD800-\uDFFF]/.test(value)) {
      return flatten(value);
    }
    const budget = value.length * DELTA_RATIO - DELTA_COST;
    for (let index = 0; index < this.bases.length; index++) {
      const base = this.bases[index];
      const delta = encode(value, base, budget);
      if (delta) {
        if (index > 0) {
          this.bases.splice(index, 1);
          this.bases.unshift(base);
        }
        return delta;
      }
    }
    const base = new Base(value);
    this.bases.unshift(base);
    if (this.bases.length > BASES) this.bases.pop();
    return base.text;
  }
}
