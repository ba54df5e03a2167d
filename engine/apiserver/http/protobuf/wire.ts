/** A minimal protobuf wire-format reader (varints, length-delimited fields, fixed 32/64). */
export class ProtoReader {
  position = 0;
  constructor(readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.position >= this.bytes.length;
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.position >= this.bytes.length) throw new Error("unexpected EOF");
      const byte = this.bytes[this.position++];
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) throw new Error("proto: integer overflow");
    }
  }

  /** A varint as a signed 64-bit number (two's complement), as int64/int32 fields are written. */
  signedVarint(): number {
    const value = this.varint();
    return value >= 2 ** 63 ? value - 2 ** 64 : value;
  }

  bytesField(): Uint8Array {
    const length = this.varint();
    const end = this.position + length;
    if (end > this.bytes.length) throw new Error("unexpected EOF");
    const slice = this.bytes.subarray(this.position, end);
    this.position = end;
    return slice;
  }

  fixed32(): Uint8Array {
    const slice = this.bytes.subarray(this.position, this.position + 4);
    this.position += 4;
    return slice;
  }

  fixed64(): Uint8Array {
    const slice = this.bytes.subarray(this.position, this.position + 8);
    this.position += 8;
    return slice;
  }

  /** Reads a tag: field number and wire type. */
  tag(): { field: number; wireType: number } {
    const key = this.varint();
    return { field: Math.floor(key / 8), wireType: key & 7 };
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.position += 8;
    else if (wireType === 2) this.bytesField();
    else if (wireType === 5) this.position += 4;
    else throw new Error(`proto: illegal wireType ${wireType}`);
  }
}
