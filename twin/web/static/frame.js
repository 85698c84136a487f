// frame.js — decodes the binary stream frames of GET /v1/stream?format=binary
// (layout: docs/live.md, "Binary frames"; twin/binframe.go). Every column is
// a typed-array view on the message's buffer: no copy on little-endian
// machines (all that run browsers today); a copy otherwise.

export const MAGIC = 0x31465443; // "CTF1"
export const VERSION = 1;
export const VEHICLE_BYTES = 22;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Light letters of frames' lights, as byte values. */
export const LIGHT = { G: 71, g: 103, y: 121, r: 114 };

/** decodeFrame decodes one binary frame (an ArrayBuffer) of a network of `lanes` lanes. */
export function decodeFrame(buf, lanes) {
  const dv = new DataView(buf);
  if (buf.byteLength < 80 || dv.getUint32(0, true) !== MAGIC) throw new Error("not a CityTwin stream frame");
  const version = dv.getUint16(4, true);
  if (version !== VERSION) throw new Error("stream frame version " + version + "; this page reads version " + VERSION);
  const H = dv.getUint16(6, true);
  const n = dv.getUint32(28, true);
  const S = dv.getUint32(72, true);
  const M = dv.getUint32(76, true);
  const P = (H + VEHICLE_BYTES * n + 3) & ~3;
  const C = (lanes + 7) >> 3;
  if (P + 2 * S + M + C > buf.byteLength) throw new Error("truncated stream frame");
  const flags = dv.getUint8(68);
  const col = (Type, off, count) => littleEndian ? new Type(buf, off, count) : copyLE(dv, Type, off, count);
  return {
    bytes: buf.byteLength,
    time: dv.getFloat64(8, true),
    step: dv.getFloat64(16, true),
    seq: dv.getUint32(24, true),
    n,
    running: dv.getUint32(32, true),
    arrived: dv.getUint32(36, true),
    waiting: dv.getUint32(40, true),
    meanSpeed: dv.getFloat32(44, true),
    delay: dv.getFloat64(48, true),
    stepsPerSecond: dv.getFloat32(56, true),
    lag: dv.getFloat32(60, true),
    pace: dv.getFloat32(64, true),
    paused: (flags & 1) !== 0,
    stepped: (flags & 2) !== 0,
    ids: col(Uint32Array, H, n),
    x: col(Float32Array, H + 4 * n, n),
    y: col(Float32Array, H + 8 * n, n),
    seg: col(Uint32Array, H + 12 * n, n),
    heading: col(Int16Array, H + 16 * n, n), // rad × 10,000
    speed: col(Uint16Array, H + 18 * n, n), // m/s × 100
    vtype: new Uint8Array(buf, H + 20 * n, n),
    flags: new Uint8Array(buf, H + 21 * n, n), // 1 connected, 2 halting
    phases: col(Int16Array, P, S),
    lights: new Uint8Array(buf, P + 2 * S, M),
    closed: new Uint8Array(buf, P + 2 * S + M, C), // bit l % 8 of byte l / 8: lane l is closed
  };
}

function copyLE(dv, Type, off, count) {
  const out = new Type(count);
  const size = Type.BYTES_PER_ELEMENT;
  const get = {
    Uint32Array: (o) => dv.getUint32(o, true), Float32Array: (o) => dv.getFloat32(o, true),
    Int16Array: (o) => dv.getInt16(o, true), Uint16Array: (o) => dv.getUint16(o, true),
  }[Type.name];
  for (let i = 0; i < count; i++) out[i] = get(off + i * size);
  return out;
}
