/**
 * Video files through the ffmpeg command-line tools (Debian package `ffmpeg`): probe, decode to
 * raw (T, H, W, C) uint8 frames on a pipe, encode MP4, and `readVideoFile`, which reads any video
 * file we meet (.mp4/.gif/.webm/.avi/.mkv/.mov via ffmpeg, .npy via npy.ts).
 *
 * The binaries are found on PATH, or named by the environment variables T2V_FFMPEG and
 * T2V_FFPROBE. Every failure names the file and ends with the tail of ffmpeg's stderr.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, extname, join } from 'node:path';
import { readNpy } from '../io/npy.js';
import { checkVideo, type VideoU8 } from './video.js';

/** An ffmpeg/ffprobe run that failed; `stderrTail` holds the last lines ffmpeg printed. */
export class FfmpegError extends Error {
  constructor(message: string, readonly file: string, readonly stderrTail: string) {
    super(stderrTail ? `${message}\n  ffmpeg said: ${stderrTail.replace(/\n/g, '\n  ')}` : message);
    this.name = 'FfmpegError';
  }
}

interface Tools {
  ffmpeg: string;
  ffprobe: string;
  /** ffmpeg >= 5.1 spells `-vsync` as `-fps_mode`. */
  fpsMode: boolean;
  encoders: Set<string>;
}

let tools: Tools | undefined;

function which(name: string, envVar: string): string {
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${envVar}=${fromEnv} does not exist; unset it or point it at the ${name} binary`);
    return fromEnv;
  }
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`${name} was not found on PATH (${process.env['PATH'] ?? ''}); ` +
    `install the Debian package ffmpeg (apt-get install ffmpeg) or set ${envVar} to the binary`);
}

/** Locate ffmpeg and ffprobe once; throws a readable error when they are missing. */
export function ffmpegTools(): Readonly<Tools> {
  if (tools) return tools;
  const ffmpeg = which('ffmpeg', 'T2V_FFMPEG');
  const ffprobe = which('ffprobe', 'T2V_FFPROBE');
  // One run gives both: the banner (version) on stderr and the encoder list on stdout.
  const r = spawnSync(ffmpeg, ['-encoders'], { encoding: 'utf8' });
  const m = /ffmpeg version n?(\d+)\.(\d+)/.exec(r.stderr ?? '');
  const fpsMode = !m || Number(m[1]) > 5 || (Number(m[1]) === 5 && Number(m[2]) >= 1);
  const encoders = new Set((r.stdout ?? '').split('\n').map((l) => l.trim().split(/\s+/)[1] ?? '').filter((s) => s));
  tools = { ffmpeg, ffprobe, fpsMode, encoders };
  return tools;
}

/** The last `lines` non-empty lines of a process's stderr. */
function tail(stderr: string, lines = 6): string {
  return stderr.split('\n').map((l) => l.trim()).filter((l) => l).slice(-lines).join('\n');
}

/** Run a tool, feed `input` on stdin, collect stdout; rejects with an FfmpegError on failure. */
function run(bin: string, args: string[], file: string, what: string, input?: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => { err = (err + b.toString('utf8')).slice(-8192); });
    child.on('error', (e) => reject(new FfmpegError(`${what} ${file}: could not start ${bin}: ${e.message}`, file, '')));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new FfmpegError(`${what} ${file} failed (${signal ? `signal ${signal}` : `exit code ${code}`})`, file, tail(err)));
    });
    if (input && child.stdin) {
      child.stdin.on('error', () => undefined); // ffmpeg may exit early; 'close' reports why
      child.stdin.end(input);
    }
  });
}

/** What ffprobe says about a file's first video stream. */
export interface VideoProbe {
  width: number;
  height: number;
  /** Average frame rate (frames per second). */
  fps: number;
  /** Seconds; NaN when the container does not say. */
  durationSec: number;
  /** Frames in the stream: counted when `countFrames`, else from the header or duration x fps. */
  frameCount: number;
  codec: string;
  pixFmt: string;
}

const rate = (s: string | undefined): number => {
  const [a, b] = (s ?? '0/1').split('/').map(Number);
  return b ? a! / b : a ?? 0;
};

/**
 * Probe a video file with `ffprobe -of json`. With `countFrames` ffprobe decodes the stream to
 * count frames exactly (slower); otherwise the count comes from the header when present.
 */
export async function probeVideo(path: string, opts: { countFrames?: boolean } = {}): Promise<VideoProbe> {
  if (!existsSync(path)) throw new Error(`probeVideo: ${path} does not exist`);
  const { ffprobe } = ffmpegTools();
  const args = ['-v', 'error', '-select_streams', 'v:0', ...(opts.countFrames ? ['-count_frames'] : []),
    '-show_entries', 'stream=width,height,avg_frame_rate,r_frame_rate,nb_frames,nb_read_frames,duration,codec_name,pix_fmt:format=duration',
    '-of', 'json', path];
  const json = JSON.parse((await run(ffprobe, args, path, 'probing')).toString('utf8')) as {
    streams?: Record<string, string | number | undefined>[];
    format?: { duration?: string };
  };
  const s = json.streams?.[0];
  if (!s) throw new FfmpegError(`probing ${path}: the file has no video stream`, path, '');
  const fps = rate(String(s['avg_frame_rate'])) || rate(String(s['r_frame_rate']));
  const durationSec = Number(s['duration'] ?? json.format?.duration ?? NaN);
  const counted = Number(s['nb_read_frames']);
  const header = Number(s['nb_frames']);
  const frameCount = Number.isFinite(counted) && counted > 0 ? counted
    : Number.isFinite(header) && header > 0 ? header : Math.round(durationSec * fps);
  return {
    width: Number(s['width']), height: Number(s['height']), fps, durationSec, frameCount,
    codec: String(s['codec_name'] ?? ''), pixFmt: String(s['pix_fmt'] ?? ''),
  };
}

/** Options for {@link decodeVideo}. */
export interface DecodeOptions {
  /** Keep every `stride`-th decoded frame (0, stride, 2*stride, ...). Default 1. */
  stride?: number;
  /** Start and end of the window to decode, in seconds of the file's timeline. */
  startSec?: number;
  endSec?: number;
  /** Stop after this many output frames. */
  maxFrames?: number;
  /** Resize the shorter side (relative to the target aspect) and centre-crop to this size. */
  size?: { height: number; width: number };
  /** Scaler for `size`: 'area' (default, best for shrinking) or 'bilinear'. */
  filter?: 'area' | 'bilinear';
  /** 1 = gray (BT.601 luma), 3 = RGB. */
  channels: 1 | 3;
}

/**
 * Decode a video file to raw frames: ffmpeg writes `-f rawvideo -pix_fmt rgb24|gray` to a pipe
 * and we cut the bytes into (T, H, W, C). Frames are passed through without rate conversion,
 * so frame i of the output is decoded frame `i * stride` of the window.
 */
export async function decodeVideo(path: string, opts: DecodeOptions): Promise<VideoU8> {
  if (!existsSync(path)) throw new Error(`decodeVideo: ${path} does not exist`);
  const t = ffmpegTools();
  const stride = opts.stride ?? 1;
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`decodeVideo: stride must be a positive integer, got ${stride}`);
  const filters: string[] = [];
  if (stride > 1) filters.push(`select='not(mod(n\\,${stride}))'`);
  let { width, height } = opts.size ?? { width: 0, height: 0 };
  if (opts.size) {
    // Cover (H, W) keeping the aspect ratio, then crop the centre. Integer comparisons choose the
    // limiting side exactly: if iw/ih >= W/H the height is matched, else the width.
    const wide = `gte(iw*${height}\\,ih*${width})`;
    const w = `if(${wide}\\,max(${width}\\,round(iw*${height}/ih))\\,${width})`;
    const h = `if(${wide}\\,${height}\\,max(${height}\\,round(ih*${width}/iw)))`;
    filters.push(`scale=w='${w}':h='${h}':flags=${opts.filter === 'bilinear' ? 'bilinear' : 'area'}`, `crop=${width}:${height}`, 'setsar=1');
  } else {
    const p = await probeVideo(path);
    width = p.width;
    height = p.height;
  }
  const args = ['-hide_banner', '-nostdin', '-v', 'error'];
  if (opts.startSec !== undefined && opts.startSec > 0) args.push('-ss', String(opts.startSec));
  args.push('-i', path);
  if (opts.endSec !== undefined) args.push('-t', String(Math.max(0, opts.endSec - (opts.startSec ?? 0))));
  if (filters.length) args.push('-vf', filters.join(','));
  args.push(...(t.fpsMode ? ['-fps_mode', 'passthrough'] : ['-vsync', 'passthrough']));
  if (opts.maxFrames !== undefined) args.push('-frames:v', String(opts.maxFrames));
  args.push('-an', '-f', 'rawvideo', '-pix_fmt', opts.channels === 1 ? 'gray' : 'rgb24', 'pipe:1');
  const bytes = await run(t.ffmpeg, args, path, 'decoding');
  const per = width * height * opts.channels;
  if (bytes.length === 0 || bytes.length % per !== 0) {
    throw new FfmpegError(`decoding ${path}: got ${bytes.length} bytes, not a whole number of ` +
      `${height}x${width}x${opts.channels} frames${bytes.length === 0 ? ' (no frames in the window)' : ''}`, path, '');
  }
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length); // (T, H, W, C)
  return { frames: bytes.length / per, height, width, channels: opts.channels, data };
}

/** Options for {@link encodeMp4}. */
export interface EncodeOptions {
  /** x264 constant rate factor (lower = better; 18 is visually lossless). Default 18. */
  crf?: number;
}

/**
 * Encode a video as H.264 (libx264, yuv420p, +faststart) MP4, or MPEG-4 part 2 when libx264 is
 * not built in. yuv420p needs even sides: an odd side is padded with one black row/column
 * (right/bottom).
 */
export async function encodeMp4(v: VideoU8, path: string, fps: number, opts: EncodeOptions = {}): Promise<void> {
  checkVideo(v, 'encodeMp4');
  if (v.frames < 1) throw new Error(`encodeMp4 ${path}: the video has no frames`);
  const t = ffmpegTools();
  const odd = v.width % 2 === 1 || v.height % 2 === 1;
  const codec = t.encoders.has('libx264')
    ? ['-c:v', 'libx264', '-preset', 'medium', '-crf', String(opts.crf ?? 18)]
    : ['-c:v', 'mpeg4', '-q:v', '2'];
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-y',
    '-f', 'rawvideo', '-pix_fmt', v.channels === 1 ? 'gray' : 'rgb24', '-s', `${v.width}x${v.height}`, '-r', String(fps), '-i', 'pipe:0',
    ...(odd ? ['-vf', `pad=${v.width + (v.width % 2)}:${v.height + (v.height % 2)}:0:0`] : []),
    ...codec, '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-an', path];
  await run(t.ffmpeg, args, path, 'encoding', v.data);
}

/** File extensions {@link readVideoFile} hands to ffmpeg. */
export const FFMPEG_EXTENSIONS: readonly string[] = ['.mp4', '.gif', '.webm', '.avi', '.mkv', '.mov', '.mpg', '.mpeg', '.m4v'];

/** Every extension {@link readVideoFile} understands. */
export const VIDEO_EXTENSIONS: readonly string[] = [...FFMPEG_EXTENSIONS, '.npy'];

/** Options for {@link readVideoFile}. */
export interface ReadVideoOptions {
  /** Channels wanted from ffmpeg; default: 1 when the stream is gray, else 3. `.npy` keeps its own. */
  channels?: 1 | 3;
  size?: { height: number; width: number };
}

/**
 * Read a whole video file into memory, dispatching on the extension: `.npy` must hold uint8
 * (T, H, W, C) with C in {1, 3}, or (T, H, W) (gray); everything in {@link FFMPEG_EXTENSIONS}
 * goes through ffmpeg. This is how evaluation reads a folder of generated videos.
 */
export async function readVideoFile(path: string, opts: ReadVideoOptions = {}): Promise<VideoU8> {
  const ext = extname(path).toLowerCase();
  if (ext === '.npy') {
    const a = readNpy(path);
    const [T, H, W, C = 1] = a.shape;
    if (a.dtype !== 'u1' || (a.shape.length !== 3 && a.shape.length !== 4) || (C !== 1 && C !== 3)) {
      throw new Error(`${path}: expected a uint8 array of shape (T, H, W, C) with C = 1 or 3, or (T, H, W); ` +
        `got dtype ${a.dtype} shape (${a.shape.join(', ')}). Save videos with np.uint8 frames in (T, H, W, C) order`);
    }
    const v: VideoU8 = { frames: T!, height: H!, width: W!, channels: C, data: a.data };
    checkVideo(v, path);
    return v;
  }
  if (!FFMPEG_EXTENSIONS.includes(ext)) {
    throw new Error(`${path}: unsupported video extension '${ext}'; supported: ${VIDEO_EXTENSIONS.join(', ')}`);
  }
  let channels = opts.channels;
  if (!channels) channels = /^(gray|ya8|y400|monow|monob)/.test((await probeVideo(path)).pixFmt) ? 1 : 3;
  return decodeVideo(path, { channels, ...(opts.size ? { size: opts.size } : {}) });
}
