/**
 * Annotation tables for the importers: CSV (RFC 4180: quoted fields, doubled quotes, newlines in
 * quotes) or TSV, with a header row. The delimiter is a tab when the header line holds one, else a
 * comma. Header names are lower-cased and trimmed; rows keep their 1-based line number so errors
 * can point at them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ImportInputError } from './common.js';

/** One data row: column name -> raw text, plus the line it started on. */
export interface TableRow {
  line: number;
  cells: Record<string, string>;
}

/** A parsed table: the header names and the data rows (blank lines dropped). */
export interface Table {
  path: string;
  columns: string[];
  rows: TableRow[];
}

/** Split CSV/TSV text into records of fields, honouring double quotes. */
export function parseDelimited(text: string, delimiter: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // drop a UTF-8 BOM
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else { if (ch === '\n') line++; field += ch; }
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) { fields.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      fields.push(field);
      if (fields.length > 1 || fields[0] !== '') out.push({ line: startLine, fields });
      fields = []; field = ''; line++; startLine = line;
    } else field += ch;
  }
  fields.push(field);
  if (fields.length > 1 || fields[0] !== '') out.push({ line: startLine, fields });
  return out;
}

/**
 * Read a CSV/TSV file with a header. `what` and `flag` name the file in errors, e.g.
 * ('captions file', '--captions'). Throws {@link ImportInputError} when it is missing, empty, or
 * lacks one of the `required` columns (each entry lists accepted spellings).
 */
export function readTable(path: string, what: string, flag: string, required: readonly (readonly string[])[] = []): Table {
  if (!existsSync(path)) throw new ImportInputError(`${what} ${path} (${flag}) does not exist; check the path`);
  const text = readFileSync(path, 'utf8');
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const records = parseDelimited(text, firstLine.includes('\t') ? '\t' : ',');
  const head = records.shift();
  if (!head) throw new ImportInputError(`${what} ${path} (${flag}) is empty; it needs a header row and one row per entry`);
  const columns = head.fields.map((f) => f.trim().toLowerCase());
  for (const names of required) {
    if (!names.some((n) => columns.includes(n))) {
      throw new ImportInputError(`${what} ${path} (${flag}): header has no '${names.join("' or '")}' column ` +
        `(found: ${columns.join(', ')}); the first row must name the columns`);
    }
  }
  const rows = records.map(({ line, fields }) => {
    const cells: Record<string, string> = {};
    columns.forEach((c, i) => { cells[c] = (fields[i] ?? '').trim(); });
    return { line, cells };
  });
  return { path, columns, rows };
}

/** The first present column among `names` in a row ('' when none). */
export function cell(row: TableRow, ...names: string[]): string {
  for (const n of names) if (row.cells[n] !== undefined && row.cells[n] !== '') return row.cells[n];
  return '';
}

/** A number from a row, or an error naming the file, line and column. */
export function numberCell(t: Table, row: TableRow, ...names: string[]): number {
  const raw = cell(row, ...names);
  const v = Number(raw);
  if (raw === '' || !Number.isFinite(v)) {
    throw new ImportInputError(`${t.path}:${row.line}: column '${names[0]}' needs a number, got '${raw}'`);
  }
  return v;
}
