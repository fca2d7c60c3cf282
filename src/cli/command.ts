/**
 * The contract every `t2v` sub-command follows: a name (possibly two words, "data syncdraw"),
 * a one-line summary, a usage text and a `run` that returns the exit code.
 */
export interface Command {
  /** Words that select the command, e.g. ['data', 'syncdraw']. */
  readonly path: readonly string[];
  readonly summary: string;
  readonly usage: string;
  run(argv: string[]): Promise<number>;
}

/** An error in what the user typed; printed without a stack trace, with the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  /** 'string' takes a value, 'boolean' does not; 'number' parses a finite number. */
  type: 'string' | 'number' | 'boolean';
  default?: string | number | boolean;
  required?: boolean;
}

export type ParsedFlags = Record<string, string | number | boolean | undefined>;

/** The value of flag `--name` when it is one of `valid`; undefined when absent; a UsageError naming the valid values otherwise. */
export function oneOf<T extends string>(flags: Record<string, unknown>, name: string, valid: readonly T[]): T | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (!valid.includes(v as T)) throw new UsageError(`--${name} must be one of ${valid.join(', ')}, got '${String(v)}'`);
  return v as T;
}

/**
 * Parse `--name value`, `--name=value` and boolean `--flag` arguments against a spec.
 * Unknown flags and missing required ones are usage errors naming the flag.
 */
export function parseFlags(
  argv: string[],
  spec: Record<string, FlagSpec>,
): { flags: ParsedFlags; positional: string[] } {
  const flags: ParsedFlags = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const s = spec[name];
    if (!s) {
      const valid = Object.keys(spec).map((k) => `--${k}`).join(', ');
      throw new UsageError(`unknown option --${name}; valid options: ${valid || '(none)'}`);
    }
    let value: string | undefined;
    if (s.type === 'boolean') {
      value = eq >= 0 ? arg.slice(eq + 1) : 'true';
      flags[name] = value !== 'false' && value !== '0';
      continue;
    }
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`option --${name} needs a value`);
    }
    if (s.type === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new UsageError(`option --${name} needs a number, got '${value}'`);
      flags[name] = n;
    } else flags[name] = value;
  }
  for (const [name, s] of Object.entries(spec)) {
    if (flags[name] === undefined && s.default !== undefined) flags[name] = s.default;
    if (flags[name] === undefined && s.required) throw new UsageError(`option --${name} is required`);
  }
  return { flags, positional };
}
