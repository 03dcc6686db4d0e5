// Minimal PNG writer (truecolour, no dependencies) used by the test stubs to
// produce real plot images: a bar chart drawn into an RGB buffer.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A `width`×`height` PNG of bars with heights `values` (0..1) in colour `rgb`. */
export function barChartPng(values, { width = 320, height = 180, rgb = [11, 92, 173] } = {}) {
  const raw = Buffer.alloc((width * 3 + 1) * height, 255);
  const margin = 10;
  const barWidth = Math.max(1, Math.floor((width - 2 * margin) / values.length));
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const i = Math.floor((x - margin) / barWidth);
      const inBar = x >= margin && i < values.length && (x - margin) % barWidth < barWidth - 1;
      const top = height - margin - Math.round(values[i] * (height - 2 * margin));
      const axis = y === height - margin || x === margin;
      let px = [255, 255, 255];
      if (axis) px = [60, 60, 60];
      else if (inBar && y >= top && y < height - margin) px = rgb;
      raw.set(px, row + 1 + x * 3);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
