/**
 * 8-bit images in memory (`RawImage`, height × width × channels, as PIL and numpy hold them) and
 * their decoding from PNG (npm `pngjs`) and JPEG (npm `jpeg-js`), both pure JavaScript.
 *
 * Colour conversions follow PIL's, which torchvision's loaders use: RGB → L (grey) is
 * `(19595·R + 38470·G + 7471·B + 32768) >> 16`, i.e. ITU-R 601 luma rounded; L → RGB copies the
 * grey value; RGBA → RGB drops alpha (no compositing). PNG decoding is exact (16-bit samples
 * are scaled to 8 bits). JPEG pixels differ a little from PIL's (libjpeg's): within 1 level for
 * grey JPEGs, and for colour ones with 4:2:0 chroma up to ~11 levels at colour edges (mean ~3,
 * measured in test/vision/image.test.ts), as jpeg-js upsamples chroma without libjpeg's
 * smoothing ("fancy upsampling").
 */
import { createRequire } from 'node:module';
import jpeg from 'jpeg-js';
import { ValueError } from '../index.js';
import { ImageDecodeError, readDataFile } from './errors.js';

/** Colour modes, named as PIL's: grey, RGB, RGB with alpha. */
export type ImageMode = 'L' | 'RGB' | 'RGBA';

/**
 * An 8-bit image: `data[(y · width + x) · channels + c]`, rows top to bottom, channels
 * interleaved (HWC), 1 channel for mode 'L', 3 for 'RGB', 4 for 'RGBA'.
 *
 * @example
 * ```ts
 * const img: RawImage = { data: new Uint8Array(28 * 28), height: 28, width: 28, channels: 1 };
 * ```
 */
export interface RawImage {
  readonly data: Uint8Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** The part of pngjs's API used here (pngjs ships no types of its own). */
interface PngModule {
  PNG: {
    sync: {
      read(data: Buffer, options?: { skipRescale?: boolean; checkCRC?: boolean }): { width: number; height: number; data: Buffer; alpha: boolean; color: boolean };
      write(png: { width: number; height: number; data: Uint8Array }, options?: { colorType?: number; inputColorType?: number; inputHasAlpha?: boolean }): Buffer;
    };
  };
}
const { PNG } = createRequire(import.meta.url)('pngjs') as PngModule;

const MODE_CHANNELS: Readonly<Record<ImageMode, number>> = { L: 1, RGB: 3, RGBA: 4 };

/**
 * The mode of an image from its channel count: 1 → 'L', 3 → 'RGB', 4 → 'RGBA'.
 *
 * @example
 * ```ts
 * modeOf({ data: new Uint8Array(12), height: 2, width: 2, channels: 3 }); // 'RGB'
 * ```
 */
export function modeOf(image: RawImage): ImageMode {
  const mode = (['L', 'RGB', 'RGBA'] as const).find((m) => MODE_CHANNELS[m] === image.channels);
  if (mode === undefined) throw new ValueError('modeOf', `an image has 1, 3 or 4 channels, got ${image.channels}`);
  return mode;
}

/**
 * Converts an image to another mode with PIL's rules (see the module comment). Returns the same
 * image when it already has that mode.
 *
 * @example
 * ```ts
 * convertImage({ data: Uint8Array.of(255, 0, 0), height: 1, width: 1, channels: 3 }, 'L').data; // [76]
 * ```
 */
export function convertImage(image: RawImage, mode: ImageMode): RawImage {
  const from = modeOf(image);
  if (from === mode) return image;
  const n = image.height * image.width;
  const c = image.channels;
  const src = image.data;
  const out = new Uint8Array(n * MODE_CHANNELS[mode]);
  for (let i = 0; i < n; i++) {
    const s = i * c;
    if (mode === 'L') {
      out[i] = (src[s]! * 19595 + src[s + 1]! * 38470 + src[s + 2]! * 7471 + 0x8000) >> 16;
      continue;
    }
    const k = MODE_CHANNELS[mode];
    const [r, g, b] = from === 'L' ? [src[s]!, src[s]!, src[s]!] : [src[s]!, src[s + 1]!, src[s + 2]!];
    out[i * k] = r;
    out[i * k + 1] = g;
    out[i * k + 2] = b;
    if (k === 4) out[i * k + 3] = from === 'RGBA' ? src[s + 3]! : 255;
  }
  return { data: out, height: image.height, width: image.width, channels: MODE_CHANNELS[mode] };
}

const isPng = (b: Uint8Array): boolean => b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array): boolean => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** The number of colour components in a JPEG's frame header (SOF0–SOF15 but DHT/JPG/DAC), or 3. */
function jpegComponents(b: Uint8Array): number {
  let i = 2;
  while (i + 9 < b.length && b[i] === 0xff) {
    const marker = b[i + 1]!;
    const length = (b[i + 2]! << 8) | b[i + 3]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return b[i + 9]!;
    i += 2 + length;
  }
  return 3;
}

/**
 * Decodes PNG or JPEG bytes (told apart by their signatures, not by a file name) into a
 * RawImage. Without `mode` the image keeps its own: 'L' for grey PNGs and JPEGs, 'RGB' for colour,
 * 'RGBA' for PNGs with transparency (grey + alpha included). `source` names the data in errors.
 *
 * @example
 * ```ts
 * const img = decodeImage(readFileSync('cat.png'), { source: 'cat.png', mode: 'RGB' });
 * ```
 */
export function decodeImage(bytes: Uint8Array, opts: { source?: string; mode?: ImageMode } = {}): RawImage {
  const source = opts.source ?? '<buffer>';
  let image: RawImage;
  if (isPng(bytes)) {
    try {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      const rgba: RawImage = { data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), height: png.height, width: png.width, channels: 4 };
      image = convertImage(rgba, png.alpha ? 'RGBA' : png.color ? 'RGB' : 'L');
    } catch (e) {
      throw new ImageDecodeError('decodeImage', source, `not a readable PNG (${(e as Error).message})`, { cause: e });
    }
  } else if (isJpeg(bytes)) {
    try {
      const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
      const rgb: RawImage = { data: decoded.data, height: decoded.height, width: decoded.width, channels: 3 };
      image = jpegComponents(bytes) === 1 ? convertImage(rgb, 'L') : rgb;
    } catch (e) {
      throw new ImageDecodeError('decodeImage', source, `not a readable JPEG (${(e as Error).message})`, { cause: e });
    }
  } else {
    const head = Array.from(bytes.subarray(0, 4), (v) => v.toString(16).padStart(2, '0')).join(' ');
    throw new ImageDecodeError('decodeImage', source, `not a PNG or JPEG file (it starts with bytes ${head || '(none: the file is empty)'})`);
  }
  return opts.mode === undefined ? image : convertImage(image, opts.mode);
}

/**
 * Reads and decodes a PNG or JPEG file; errors name the file.
 *
 * @example
 * ```ts
 * const img = readImage('digits/3/0001.png', { mode: 'L' }); // { height: 28, width: 28, channels: 1, … }
 * ```
 */
export function readImage(path: string, opts: { mode?: ImageMode } = {}): RawImage {
  return decodeImage(readDataFile('readImage', path), { source: path, ...opts });
}

/**
 * Encodes an image as PNG bytes (8-bit grey, RGB or RGBA, as the image's mode).
 *
 * @example
 * ```ts
 * writeFileSync('sample.png', encodePng(img));
 * ```
 */
export function encodePng(image: RawImage): Uint8Array {
  const mode = modeOf(image);
  // pngjs packs from RGBA input; colorType 0 = grey, 2 = RGB, 6 = RGBA.
  const rgba = convertImage(image, 'RGBA');
  const colorType = mode === 'L' ? 0 : mode === 'RGB' ? 2 : 6;
  const out = PNG.sync.write({ width: image.width, height: image.height, data: rgba.data }, { colorType, inputColorType: 6, inputHasAlpha: true });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Encodes an image as JPEG bytes (jpeg-js, baseline, 4:2:0 chroma; grey images are stored as
 * RGB). `quality` is 1–100, default 90.
 *
 * @example
 * ```ts
 * writeFileSync('sample.jpg', encodeJpeg(img, 95));
 * ```
 */
export function encodeJpeg(image: RawImage, quality = 90): Uint8Array {
  const rgba = convertImage(image, 'RGBA');
  const out = jpeg.encode({ data: rgba.data, width: image.width, height: image.height }, quality);
  return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
}
