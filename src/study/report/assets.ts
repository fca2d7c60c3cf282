/**
 * Study-folder files as things a self-contained page can show: small images and videos become
 * data URIs (the page opens from disk, alone); a file over the size cap is linked by its path
 * relative to the study folder (the page then needs the folder beside it); a missing file becomes
 * a visible notice instead of a broken image.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { esc } from './format.js';

/** Files up to this size are embedded as data URIs; larger ones are linked relatively. */
export const DATA_URI_MAX_BYTES = 3 * 1024 * 1024;

const MIME: Record<string, string> = {
  '.gif': 'image/gif', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp',
  '.svg': 'image/svg+xml', '.mp4': 'video/mp4', '.webm': 'video/webm',
};

/** A file resolved for the page: `src` is a data URI or a relative URL; `missing` explains a file that cannot be shown. */
export type Asset =
  | { kind: 'image' | 'video'; src: string; embedded: boolean; bytes: number; file: string }
  | { kind: 'missing'; file: string; reason: string };

/** The relative URL of a file under the study folder, each path segment percent-encoded. */
function relativeUrl(studyDir: string, abs: string): string {
  const rel = relative(resolve(studyDir), abs);
  return rel.split(sep).map((s) => encodeURIComponent(s)).join('/');
}

/** Resolve `file` (relative to the study folder) as an image or video for the page. */
export function loadAsset(studyDir: string, file: string): Asset {
  const abs = isAbsolute(file) ? file : resolve(studyDir, file);
  const mime = MIME[extname(file).toLowerCase()];
  if (!mime) return { kind: 'missing', file, reason: `unsupported file type '${extname(file) || '(none)'}' (use ${Object.keys(MIME).join(', ')})` };
  if (!existsSync(abs) || !statSync(abs).isFile()) return { kind: 'missing', file, reason: 'file not found in the study folder' };
  const bytes = statSync(abs).size;
  const kind = mime.startsWith('video/') ? 'video' : 'image';
  if (bytes > DATA_URI_MAX_BYTES) return { kind, src: relativeUrl(studyDir, abs), embedded: false, bytes, file };
  return { kind, src: `data:${mime};base64,${readFileSync(abs).toString('base64')}`, embedded: true, bytes, file };
}

/** The element showing an asset: <img>, a looping muted <video>, or a notice box for a missing file. */
export function assetElement(a: Asset, alt: string, cls = ''): string {
  const c = cls ? ` class="${cls}"` : '';
  if (a.kind === 'missing') return `<div class="missing${cls ? ` ${cls}` : ''}" role="note">missing: <code>${esc(a.file)}</code> (${esc(a.reason)})</div>`;
  const linked = a.embedded ? '' : ` data-linked="${esc(a.file)}"`;
  if (a.kind === 'image') return `<img${c} src="${esc(a.src)}" alt="${esc(alt)}"${linked}>`;
  return `<video${c} src="${esc(a.src)}" autoplay loop muted playsinline preload="auto" aria-label="${esc(alt)}"${linked}></video>`;
}
