/**
 * Generates src/tensor/ops.generated.ts: one typed wrapper per allowlisted ATen operator, read
 * from libtorch's own schemas (the native `listOps()`), in the tch-rs manner. Run with
 * `npm run gen:ops`; never edit the output by hand. Required arguments (no default) are
 * positional; arguments with defaults and keyword-only ones go into an optional `opts` object
 * with camelCase keys. Generator and Layout/MemoryFormat arguments are left at their defaults.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { native, type NativeArgSchema, type NativeOpSchema } from '../src/tensor/native.js';
import { ALLOWLIST } from './ops-allowlist.js';

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const RESERVED = new Set(['self', 'default', 'function', 'var', 'new', 'delete', 'in', 'of']);
const jsName = (s: string): string => (RESERVED.has(s) ? `${s}_` : camel(s));

interface ArgPlan {
  name: string;
  tsType: string | null; // null = not exposed (always the default)
  convert: (v: string) => string;
  optional: boolean; // goes into opts
  nullable: boolean;
}

function unwrapOptional(t: string): [string, boolean] {
  const m = /^Optional\[(.*)\]$/.exec(t);
  return m ? [m[1]!, true] : [t, false];
}

function planArg(a: NativeArgSchema, op: string): ArgPlan {
  const [base, nullable] = unwrapOptional(a.type);
  const optional = a.default !== undefined || a.kwargOnly;
  const name = jsName(a.name);
  const nul = (conv: (v: string) => string) => (v: string) => (nullable ? `(${v} == null ? ${v} : ${conv(v)})` : conv(v));
  const plain = { name, optional, nullable };
  switch (base) {
    case 'Tensor':
      // `?.` maps null and undefined alike: both mean None / the schema default here.
      return { ...plain, tsType: 'Tensor', convert: (v) => (nullable || optional ? `${v}?.handle` : `${v}.handle`) };
    case 'int':
    case 'SymInt':
    case 'float':
    case 'number':
      return { ...plain, tsType: base === 'number' ? 'number | boolean' : 'number', convert: (v) => v };
    case 'bool':
      return { ...plain, tsType: 'boolean', convert: (v) => v };
    case 'str':
      return { ...plain, tsType: 'string', convert: (v) => v };
    case 'List[int]':
    case 'List[SymInt]':
      return { ...plain, tsType: a.n ? 'number[] | number' : 'number[]', convert: (v) => v };
    case 'List[float]':
    case 'List[number]':
      return { ...plain, tsType: 'number[]', convert: (v) => v };
    case 'List[bool]':
      return { ...plain, tsType: 'boolean[]', convert: (v) => v };
    case 'List[Tensor]':
      return { ...plain, tsType: 'Tensor[]', convert: nul((v) => `${v}.map((t) => t.handle)`) };
    case 'List[Optional[Tensor]]':
      return { ...plain, tsType: '(Tensor | null)[]', convert: nul((v) => `${v}.map((t) => (t === null ? null : t.handle))`) };
    case 'ScalarType':
      return { ...plain, tsType: 'DType', convert: nul((v) => `dtypeCode(${v})`) };
    case 'Device':
      return { ...plain, tsType: 'string', convert: (v) => v };
    case 'Layout':
    case 'MemoryFormat':
    case 'Generator':
      if (!nullable && a.default === undefined) throw new Error(`${op}: required argument '${a.name}' of type ${a.type} is not supported`);
      return { ...plain, optional: true, tsType: null, convert: (v) => v };
    default:
      throw new Error(`${op}: argument '${a.name}' has unsupported type ${a.type}`);
  }
}

function returnPlan(rets: NativeOpSchema['returns'], op: string): { tsType: string; wrap: (v: string) => string } {
  const one = (t: string): [string, (v: string) => string] => {
    switch (t) {
      case 'Tensor': return ['Tensor', (v) => `wrap(${v})`];
      case 'Optional[Tensor]': return ['Tensor | null', (v) => `wrapOpt(${v})`];
      case 'List[Tensor]': return ['Tensor[]', (v) => `wrapList(${v})`];
      case 'int': case 'float': case 'number': return ['number', (v) => `${v} as number`];
      case 'bool': return ['boolean', (v) => `${v} as boolean`];
      default: throw new Error(`${op}: unsupported return type ${t}`);
    }
  };
  if (rets.length === 0) return { tsType: 'void', wrap: (v) => `void ${v}` };
  if (rets.length === 1) {
    const [t, w] = one(rets[0]!.type);
    return { tsType: t, wrap: w };
  }
  const parts = rets.map((r) => one(r.type));
  return {
    tsType: `[${parts.map((p) => p[0]).join(', ')}]`,
    wrap: (v) => `((r) => [${parts.map((p, i) => p[1](`r[${i}]`)).join(', ')}] as [${parts.map((p) => p[0]).join(', ')}])(${v} as NativeValue[])`,
  };
}

function generate(): string {
  const schemas = native.listOps();
  const byName = new Map<string, NativeOpSchema>();
  for (const s of schemas) byName.set(`${s.name.replace(/^aten::/, '')}${s.overload ? `.${s.overload}` : ''}`, s);
  const seen = new Set<string>();
  const fns: string[] = [];
  const methodsDecl: string[] = [];
  const methodsImpl: string[] = [];
  const errors: string[] = [];
  ALLOWLIST.forEach(([ts, schemaName, flags], index) => {
    if (seen.has(ts)) errors.push(`duplicate TypeScript name '${ts}'`);
    seen.add(ts);
    const s = byName.get(schemaName);
    if (!s) {
      errors.push(`'${schemaName}' (for ${ts}) is not an operator of this libtorch`);
      return;
    }
    let args: ArgPlan[];
    let ret: ReturnType<typeof returnPlan>;
    try {
      args = s.args.map((a) => planArg(a, schemaName));
      ret = returnPlan(s.returns, schemaName);
    } catch (e) {
      errors.push((e as Error).message);
      return;
    }
    const req = args.filter((a) => !a.optional && a.tsType !== null);
    const opt = args.filter((a) => a.optional && a.tsType !== null);
    const optType = opt.length ? `{ ${opt.map((a) => `${a.name}?: ${a.tsType}${a.nullable ? ' | null' : ''}`).join('; ')} }` : '';
    const params = [
      ...req.map((a) => `${a.name}: ${a.tsType}${a.nullable ? ' | null' : ''}`),
      ...(optType ? [`opts?: ${optType}`] : []),
    ];
    const callArgs = args.map((a) => {
      if (a.tsType === null) return 'undefined';
      const v = a.optional ? `opts?.${a.name}` : a.name;
      const c = a.convert(v);
      return a.optional && c !== v && !c.includes('?.') ? `(${v} === undefined ? undefined : ${c})` : c;
    });
    while (callArgs.length && callArgs[callArgs.length - 1] === 'undefined') callArgs.pop();
    const call = `native.callOp(op(${index}, '${s.name}', '${s.overload}'), [${callArgs.join(', ')}])`;
    fns.push(
      `/** \`${s.schema.replace(/\*\//g, '* /')}\` */\n` +
        `export function ${ts}(${params.join(', ')}): ${ret.tsType} {\n  return ${ret.wrap(call)};\n}\n`,
    );
    const first = s.args[0];
    const isSelf = first !== undefined && first.type === 'Tensor' && req[0]?.name === jsName(first.name);
    const wantMethod = flags !== 'f' && isSelf;
    if (wantMethod) {
      // A parameter named like the function would shadow it inside the method body.
      const rn = (n: string): string => (n === ts ? `${n}Arg` : n);
      const mParams = [
        ...req.slice(1).map((a) => `${rn(a.name)}: ${a.tsType}${a.nullable ? ' | null' : ''}`),
        ...(optType ? [`opts?: ${optType}`] : []),
      ];
      const mArgs = ['this', ...req.slice(1).map((a) => rn(a.name)), ...(optType ? ['opts'] : [])];
      const inplace = first.mutable && ret.tsType === 'Tensor';
      if (inplace) {
        methodsDecl.push(`    /** In place: \`${s.schema}\` */\n    ${ts}(${mParams.join(', ')}): this;`);
        methodsImpl.push(`Tensor.prototype.${ts} = function (this: Tensor, ${mParams.join(', ')}) {\n  ${ts}(${mArgs.join(', ')}).dispose();\n  return this;\n};`);
      } else {
        methodsDecl.push(`    /** \`${s.schema}\` */\n    ${ts}(${mParams.join(', ')}): ${ret.tsType};`);
        methodsImpl.push(`Tensor.prototype.${ts} = function (this: Tensor, ${mParams.join(', ')}) {\n  return ${ts}(${mArgs.join(', ')});\n};`);
      }
    }
  });
  if (errors.length) throw new Error(`gen-ops: the allowlist does not match this libtorch:\n  ${errors.join('\n  ')}`);
  const version = native.version().torch;
  return [
    `// GENERATED by tools/gen-ops.ts from libtorch ${version} operator schemas over tools/ops-allowlist.ts.`,
    '// DO NOT EDIT: change the allowlist or the generator and run `npm run gen:ops`.',
    '/* eslint-disable */',
    "import { native, type NativeValue } from './native.js';",
    "import { Tensor, wrap, wrapOpt, wrapList } from './tensor.js';",
    "import { dtypeCode, type DType } from './dtype.js';",
    '',
    `const ids: number[] = new Array<number>(${ALLOWLIST.length}).fill(-1);`,
    '/** Resolve an operator once (lazily) and cache its id. */',
    'function op(i: number, name: string, overload: string): number {',
    '  let id = ids[i]!;',
    '  if (id < 0) ids[i] = id = native.resolveOp(name, overload);',
    '  return id;',
    '}',
    '// Keeps the imports used even when no wrapper of a kind is generated.',
    'void wrapOpt; void wrapList; void dtypeCode;',
    'export type { DType };',
    '',
    ...fns,
    "declare module './tensor.js' {",
    '  interface Tensor {',
    ...methodsDecl,
    '  }',
    '}',
    '',
    ...methodsImpl,
    '',
  ].join('\n');
}

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '../../src/tensor/ops.generated.ts');
const text = generate();
if (process.argv.includes('--check')) {
  // CI guard: the checked-in wrappers must be exactly what the generator produces.
  const current = existsSync(out) ? readFileSync(out, 'utf8') : '';
  if (current !== text) {
    console.error(`gen-ops: ${out} is out of date with tools/ops-allowlist.ts or this libtorch; run \`npm run gen:ops\``);
    process.exit(1);
  }
  console.log(`gen-ops: ${out} is up to date (${ALLOWLIST.length} operators)`);
} else {
  writeFileSync(out, text);
  console.log(`gen-ops: wrote ${ALLOWLIST.length} operators to ${out}`);
}
