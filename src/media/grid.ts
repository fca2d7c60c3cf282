/**
 * Layouts for looking at samples: a frame strip (one video's frames side by side), an image grid
 * (rows = prompts, columns = samples) and an animated grid (a video whose frame t is the grid of
 * every cell's frame t). Cells must share one size; gray cells are promoted to RGB when any cell
 * is RGB. Missing cells (ragged rows) and padding are filled with `padValue`.
 */
import { frameAt, toRGB, type ImageU8, type VideoU8 } from './video.js';

/** Spacing between cells (and around the border) in pixels, and the fill byte. */
export interface GridOptions {
  /** Pixels between neighbouring cells and around the edge. Default 2. */
  pad?: number;
  /** Byte used for padding and missing cells. Default 255 (white). */
  padValue?: number;
}

interface CellSize {
  height: number;
  width: number;
  channels: 1 | 3;
}

/** The common cell size of a ragged 2-D list; errors name the first cell that differs. */
function cellSize(cells: readonly (readonly CellSize[])[], what: string): CellSize {
  const first = cells.flat()[0];
  if (!first) throw new Error(`${what}: no cells given`);
  let channels: 1 | 3 = 1;
  cells.forEach((row, r) => row.forEach((c, k) => {
    if (c.height !== first.height || c.width !== first.width) {
      throw new Error(`${what}: cell (row ${r}, column ${k}) is ${c.height}x${c.width} but cell (0, 0) is ` +
        `${first.height}x${first.width}; resize the videos to one size first`);
    }
    if (c.channels === 3) channels = 3;
  }));
  return { height: first.height, width: first.width, channels };
}

/**
 * Paste same-sized images into a rows x cols grid. `cells[r][k]` is row r, column k; rows may
 * have different lengths (missing cells are left as padding).
 */
export function imageGrid(cells: readonly (readonly ImageU8[])[], opts: GridOptions = {}): ImageU8 {
  const pad = opts.pad ?? 2;
  const fill = opts.padValue ?? 255;
  const { height: h, width: w, channels: C } = cellSize(cells, 'imageGrid');
  const rows = cells.length;
  const cols = Math.max(...cells.map((r) => r.length));
  const H = rows * h + (rows + 1) * pad;
  const W = cols * w + (cols + 1) * pad;
  const out = new Uint8Array(H * W * C).fill(fill); // (H, W, C)
  cells.forEach((row, r) => row.forEach((cell, k) => {
    const im = C === 3 ? toRGB(cell) : cell;
    const y0 = pad + r * (h + pad);
    const x0 = pad + k * (w + pad);
    for (let y = 0; y < h; y++) {
      out.set(im.data.subarray(y * w * C, (y + 1) * w * C), ((y0 + y) * W + x0) * C);
    }
  }));
  return { height: H, width: W, channels: C, data: out };
}

/** All frames of a video side by side in one row: (H, T*W + pads, C). */
export function frameStrip(v: VideoU8, opts: GridOptions = {}): ImageU8 {
  const frames = Array.from({ length: v.frames }, (_, t) => frameAt(v, t));
  return imageGrid([frames], opts);
}

/** Several videos as a still grid: one row per video, one column per frame. */
export function stripGrid(videos: readonly VideoU8[], opts: GridOptions = {}): ImageU8 {
  return imageGrid(videos.map((v) => Array.from({ length: v.frames }, (_, t) => frameAt(v, t))), opts);
}

/**
 * An animated grid: a video whose frame t shows frame t of every cell (rows = prompts, columns =
 * samples). Its length is the longest cell's; shorter videos hold their last frame.
 */
export function videoGrid(cells: readonly (readonly VideoU8[])[], opts: GridOptions = {}): VideoU8 {
  const size = cellSize(cells, 'videoGrid');
  const T = Math.max(...cells.flat().map((v) => v.frames));
  const rgb = cells.map((row) => row.map((v) => (size.channels === 3 ? toRGB(v) : v)));
  const frames: ImageU8[] = [];
  for (let t = 0; t < T; t++) {
    frames.push(imageGrid(rgb.map((row) => row.map((v) => frameAt(v, Math.min(t, v.frames - 1)))), opts));
  }
  const f0 = frames[0]!;
  const data = new Uint8Array(T * f0.data.length); // (T, H, W, C)
  frames.forEach((f, t) => data.set(f.data, t * f0.data.length));
  return { frames: T, height: f0.height, width: f0.width, channels: f0.channels, data };
}
