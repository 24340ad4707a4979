/**
 * A restricted Python unpickler for dataset files such as the CIFAR batches: a dict of byte strings,
 * lists of ints and NumPy arrays, pickled with protocols 0–5 (CIFAR: protocol 2, Python 2 `str`s).
 * It follows `pickle.load(f, encoding='bytes')`: Python 2 `str` values come back as bytes, not text.
 *
 * Pickles can run arbitrary code through their globals, so, like Keras's RestrictedUnpickler, this reader
 * runs none: the only globals it accepts are the three NumPy needs to rebuild an array
 * (`numpy.core.multiarray._reconstruct`, `numpy.ndarray`, `numpy.dtype`, also under `numpy._core`),
 * and it interprets them itself. Anything else is a FormatError naming the global.
 * Every length is checked against the bytes present, so no header value can cause a large allocation.
 */
import { FormatError } from '../../errors.js';

/** Python `bytes` (and Python 2 `str` under encoding='bytes'): a view into the pickle. */
export class PyBytes {
  constructor(readonly bytes: Uint8Array) {}
  /** latin1, so every byte maps to one character (dict keys such as b'data'). */
  toString(): string {
    let s = '';
    for (let i = 0; i < this.bytes.length; i++) s += String.fromCharCode(this.bytes[i]);
    return s;
  }
}

export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

export class PyDict {
  readonly entries: [PyValue, PyValue][] = [];
  /** Looks a key up by text: matches str keys and bytes keys alike (CIFAR's keys are bytes). */
  get(key: string): PyValue | undefined {
    for (const [k, v] of this.entries) {
      if ((typeof k === 'string' || k instanceof PyBytes) && k.toString() === key) return v;
    }
    return undefined;
  }
  keys(): string[] {
    return this.entries.map(([k]) => (typeof k === 'string' || k instanceof PyBytes ? k.toString() : String(k)));
  }
}

/** A NumPy array rebuilt from `_reconstruct` + `__setstate__`: dtype as numpy spells it ('u1', '<i8'…). */
export class NdArray {
  constructor(readonly dtype: string, readonly shape: number[], readonly fortranOrder: boolean, readonly data: Uint8Array) {}
}

class NpDtype {
  byteOrder = '|';
  constructor(readonly name: string) {}
  get descr(): string {
    return /^[a-z]\d+$/.test(this.name) && this.byteOrder !== '|' ? `${this.byteOrder}${this.name}` : this.name;
  }
}

class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
}

/** An ndarray between `_reconstruct(...)` and its BUILD. */
class PendingArray {
  built: NdArray | null = null;
}

export type PyValue = null | boolean | number | bigint | string | PyBytes | PyTuple | PyValue[] | PyDict | NdArray
  | NpDtype | PyGlobal | PendingArray;

const ALLOWED = new Set([
  'numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct',
  'numpy.ndarray', 'numpy.dtype',
]);

const MARK = Symbol('mark');
type Slot = PyValue | typeof MARK;

export function readPickle(bytes: Uint8Array, source: string): PyValue {
  return new Unpickler(bytes, source).load();
}

class Unpickler {
  private pos = 0;
  private stack: Slot[] = [];
  private memo = new Map<number, PyValue>();
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array, private readonly source: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private fail(what: string): never {
    throw new FormatError(`${this.source}: not a readable pickle: ${what}`);
  }

  private take(n: number): Uint8Array {
    if (!Number.isSafeInteger(n) || n < 0 || n > this.bytes.length - this.pos) {
      this.fail(`a field of ${n} bytes at offset ${this.pos} runs past the end of the data (${this.bytes.length} bytes): truncated`);
    }
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private u8(): number { return this.take(1)[0]; }
  private u16(): number { const v = this.view.getUint16(this.need(2), true); return v; }
  private i32(): number { return this.view.getInt32(this.need(4), true); }
  private u32(): number { return this.view.getUint32(this.need(4), true); }
  private u64(): number {
    const at = this.need(8);
    const v = this.view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`a length of ${v} bytes at offset ${at}`);
    return Number(v);
  }
  private need(n: number): number {
    const at = this.pos;
    this.take(n);
    return at;
  }
  private line(): string {
    const nl = this.bytes.indexOf(0x0a, this.pos);
    if (nl < 0) this.fail(`unterminated text line at offset ${this.pos}`);
    const s = new TextDecoder('latin1').decode(this.bytes.subarray(this.pos, nl));
    this.pos = nl + 1;
    return s;
  }
  private text(n: number): string {
    return new TextDecoder('utf-8').decode(this.take(n));
  }

  private push(v: PyValue): void { this.stack.push(v); }
  private pop(): PyValue {
    const v = this.stack.pop();
    if (v === undefined || v === MARK) this.fail(`stack underflow at offset ${this.pos - 1}`);
    return v as PyValue;
  }
  private top(): PyValue {
    const v = this.stack[this.stack.length - 1];
    if (v === undefined || v === MARK) this.fail(`empty stack at offset ${this.pos - 1}`);
    return v as PyValue;
  }
  /** Pops everything down to the last MARK. */
  private popMark(): PyValue[] {
    const i = this.stack.lastIndexOf(MARK);
    if (i < 0) this.fail(`no MARK on the stack at offset ${this.pos - 1}`);
    const items = this.stack.slice(i + 1) as PyValue[];
    this.stack.length = i;
    return items;
  }

  load(): PyValue {
    for (;;) {
      const at = this.pos;
      const op = this.u8();
      switch (op) {
        case 0x80: { // PROTO
          const p = this.u8();
          if (p > 5) this.fail(`pickle protocol ${p} (supported: 0–5)`);
          break;
        }
        case 0x95: this.take(8); break; // FRAME: framing only groups opcodes; the length is not needed
        case 0x2e: { // STOP
          const v = this.pop();
          if (this.stack.length !== 0) this.fail(`${this.stack.length} leftover item(s) on the stack at STOP`);
          return v;
        }
        case 0x28: this.stack.push(MARK); break; // MARK
        case 0x30: this.pop(); break; // POP
        case 0x31: this.popMark(); break; // POP_MARK
        case 0x32: this.push(this.top()); break; // DUP
        case 0x4e: this.push(null); break; // NONE
        case 0x88: this.push(true); break; // NEWTRUE
        case 0x89: this.push(false); break; // NEWFALSE
        case 0x4b: this.push(this.u8()); break; // BININT1
        case 0x4d: this.push(this.u16()); break; // BININT2
        case 0x4a: this.push(this.i32()); break; // BININT
        case 0x49: this.push(this.intLine()); break; // INT (protocol 0)
        case 0x4c: this.push(this.intLine()); break; // LONG (protocol 0)
        case 0x8a: this.push(this.long(this.u8())); break; // LONG1
        case 0x8b: { // LONG4
          const n = this.i32();
          if (n < 0) this.fail('negative LONG4 length');
          this.push(this.long(n));
          break;
        }
        case 0x47: this.push(this.view.getFloat64(this.need(8), false)); break; // BINFLOAT (big-endian)
        case 0x46: this.push(Number(this.line())); break; // FLOAT
        case 0x55: this.push(new PyBytes(this.take(this.u8()))); break; // SHORT_BINSTRING (py2 str → bytes)
        case 0x54: { // BINSTRING
          const n = this.i32();
          if (n < 0) this.fail('negative BINSTRING length');
          this.push(new PyBytes(this.take(n)));
          break;
        }
        case 0x43: this.push(new PyBytes(this.take(this.u8()))); break; // SHORT_BINBYTES
        case 0x42: this.push(new PyBytes(this.take(this.u32()))); break; // BINBYTES
        case 0x8e: this.push(new PyBytes(this.take(this.u64()))); break; // BINBYTES8
        case 0x96: this.push(new PyBytes(this.take(this.u64()))); break; // BYTEARRAY8
        case 0x8c: this.push(this.text(this.u8())); break; // SHORT_BINUNICODE
        case 0x58: this.push(this.text(this.u32())); break; // BINUNICODE
        case 0x8d: this.push(this.text(this.u64())); break; // BINUNICODE8
        case 0x7d: this.push(new PyDict()); break; // EMPTY_DICT
        case 0x5d: this.push([]); break; // EMPTY_LIST
        case 0x29: this.push(new PyTuple([])); break; // EMPTY_TUPLE
        case 0x85: this.push(new PyTuple([this.pop()])); break; // TUPLE1
        case 0x86: { const b = this.pop(); const a = this.pop(); this.push(new PyTuple([a, b])); break; } // TUPLE2
        case 0x87: { const c = this.pop(); const b = this.pop(); const a = this.pop(); this.push(new PyTuple([a, b, c])); break; } // TUPLE3
        case 0x74: this.push(new PyTuple(this.popMark())); break; // TUPLE
        case 0x6c: this.push(this.popMark()); break; // LIST
        case 0x64: { // DICT
          const d = new PyDict();
          this.setItems(d, this.popMark());
          this.push(d);
          break;
        }
        case 0x61: { const v = this.pop(); this.list(this.top()).push(v); break; } // APPEND
        case 0x65: { const items = this.popMark(); this.list(this.top()).push(...items); break; } // APPENDS
        case 0x73: { const v = this.pop(); const k = this.pop(); this.dict(this.top()).entries.push([k, v]); break; } // SETITEM
        case 0x75: { const items = this.popMark(); this.setItems(this.dict(this.top()), items); break; } // SETITEMS
        case 0x71: this.memo.set(this.u8(), this.top()); break; // BINPUT
        case 0x72: this.memo.set(this.u32(), this.top()); break; // LONG_BINPUT
        case 0x94: this.memo.set(this.memo.size, this.top()); break; // MEMOIZE
        case 0x70: this.memo.set(Number(this.line()), this.top()); break; // PUT
        case 0x68: this.push(this.recall(this.u8())); break; // BINGET
        case 0x6a: this.push(this.recall(this.u32())); break; // LONG_BINGET
        case 0x67: this.push(this.recall(Number(this.line()))); break; // GET
        case 0x63: { // GLOBAL "module\nname\n"
          const module = this.line();
          this.push(this.global(module, this.line()));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') this.fail('STACK_GLOBAL needs two strings');
          this.push(this.global(module as string, name as string));
          break;
        }
        case 0x52: { // REDUCE: callable(*args)
          const args = this.pop();
          const fn = this.pop();
          if (!(args instanceof PyTuple)) this.fail(`REDUCE at offset ${at} needs an argument tuple`);
          this.push(this.call(fn, (args as PyTuple).items, at));
          break;
        }
        case 0x81: { // NEWOBJ: cls.__new__(cls, *args)
          const args = this.pop();
          const cls = this.pop();
          if (!(args instanceof PyTuple)) this.fail(`NEWOBJ at offset ${at} needs an argument tuple`);
          this.push(this.call(cls, (args as PyTuple).items, at));
          break;
        }
        case 0x62: { // BUILD: obj.__setstate__(state)
          const state = this.pop();
          const obj = this.top();
          this.build(obj, state, at);
          break;
        }
        default:
          this.fail(`unsupported opcode 0x${op.toString(16).padStart(2, '0')} at offset ${at}`);
      }
    }
  }

  private intLine(): number | bigint | boolean {
    const s = this.line().replace(/L$/, '');
    if (s === '00') return false; // protocol 0 spells False/True as I00 / I01
    if (s === '01') return true;
    if (!/^-?\d+$/.test(s)) this.fail(`bad integer literal ${JSON.stringify(s)}`);
    const n = Number(s);
    return Number.isSafeInteger(n) ? n : BigInt(s);
  }

  /** Two's-complement little-endian integer of `n` bytes. */
  private long(n: number): number | bigint {
    if (n > 64) this.fail(`an integer of ${n} bytes (datasets use small integers)`);
    const b = this.take(n);
    if (n === 0) return 0;
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  private recall(key: number): PyValue {
    const v = this.memo.get(key);
    if (v === undefined) this.fail(`memo key ${key} was never stored`);
    return v as PyValue;
  }

  private list(v: PyValue): PyValue[] {
    if (!Array.isArray(v)) this.fail('APPEND onto something that is not a list');
    return v as PyValue[];
  }

  private dict(v: PyValue): PyDict {
    if (!(v instanceof PyDict)) this.fail('SETITEM onto something that is not a dict');
    return v as PyDict;
  }

  private setItems(d: PyDict, items: PyValue[]): void {
    if (items.length % 2 !== 0) this.fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) d.entries.push([items[i], items[i + 1]]);
  }

  private global(module: string, name: string): PyGlobal {
    const full = `${module}.${name}`;
    if (!ALLOWED.has(full)) {
      this.fail(`refusing global ${full}: only NumPy array reconstruction (${[...ALLOWED].join(', ')}) is allowed in a dataset file`);
    }
    return new PyGlobal(module, name);
  }

  private call(fn: PyValue, args: PyValue[], at: number): PyValue {
    if (!(fn instanceof PyGlobal)) this.fail(`call of a non-callable at offset ${at}`);
    const g = fn as PyGlobal;
    if (g.name === '_reconstruct') {
      // _reconstruct(numpy.ndarray, (0,), b'b'): an empty array that the following BUILD fills in.
      if (!(args[0] instanceof PyGlobal) || args[0].name !== 'ndarray') this.fail('_reconstruct of something other than numpy.ndarray');
      return new PendingArray();
    }
    if (g.name === 'dtype') {
      // dtype('u1', False, True) or dtype('<i8', ...): the first argument names the type.
      const name = args[0];
      const text = name instanceof PyBytes ? name.toString() : name;
      if (typeof text !== 'string' || !/^[<>|=]?[a-zA-Z]\d*$/.test(text)) this.fail(`numpy.dtype(${JSON.stringify(String(text))}) is not a plain numeric dtype`);
      return new NpDtype(text as string);
    }
    return this.fail(`${g.module}.${g.name} cannot be called directly at offset ${at}`);
  }

  private build(obj: PyValue, state: PyValue, at: number): void {
    if (obj instanceof NpDtype) {
      // (version, byteorder, subdescr, names, fields, elsize, alignment, flags)
      const items = state instanceof PyTuple ? state.items : [];
      const order = items[1] instanceof PyBytes ? items[1].toString() : items[1];
      if (typeof order !== 'string' || !/^[<>|=]$/.test(order)) this.fail(`numpy dtype state at offset ${at} has no byte order`);
      if (items[3] !== null && items[3] !== undefined) this.fail(`structured numpy dtypes are not supported (offset ${at})`);
      obj.byteOrder = order as string;
      return;
    }
    if (obj instanceof PendingArray) {
      // ndarray.__setstate__((version, shape, dtype, is_fortran, rawdata)); version is optional.
      let items = state instanceof PyTuple ? state.items : [];
      if (items.length === 5) items = items.slice(1);
      if (items.length !== 4) this.fail(`numpy array state at offset ${at} is not (shape, dtype, fortran, data)`);
      const [shapeV, dtypeV, fortranV, dataV] = items;
      if (!(shapeV instanceof PyTuple) || !shapeV.items.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
        this.fail(`numpy array state at offset ${at} has a bad shape`);
      }
      if (!(dtypeV instanceof NpDtype)) this.fail(`numpy array state at offset ${at} has no dtype`);
      if (!(dataV instanceof PyBytes)) this.fail(`numpy array at offset ${at} holds Python objects, not raw bytes (object arrays are not supported)`);
      const fortran = fortranV === true || fortranV === 1;
      obj.built = new NdArray((dtypeV as NpDtype).descr, (shapeV as PyTuple).items as number[], fortran, (dataV as PyBytes).bytes);
      // Replace the placeholder wherever it is referenced (stack top and memo).
      this.stack[this.stack.length - 1] = obj.built;
      for (const [k, v] of this.memo) if (v === obj) this.memo.set(k, obj.built);
      return;
    }
    this.fail(`BUILD on an unsupported object at offset ${at}`);
  }
}
