import { UsageError } from './usage-error.js';

/** One command-line option: its kind, allowed values, default and a help line. */
export interface OptionSpec {
  kind: 'string' | 'number' | 'int' | 'bool' | 'ints';
  help: string;
  choices?: readonly string[];
  default?: string | number | boolean;
  /** Shown in the help instead of the kind (e.g. 'mnist|DIR'). */
  value?: string;
}
export type OptionSpecs = Record<string, OptionSpec>;
export type ParsedValue = string | number | boolean | number[];
export interface Parsed {
  /** Options by camelCase name: given values, then defaults. */
  opts: Record<string, ParsedValue | undefined>;
  /** Which options the user gave explicitly. */
  given: Set<string>;
  positional: string[];
}

const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Parses `--name value`, `--name=value` and bare `--flag` (booleans; also
 * `--flag=false`) against `specs` (keys camelCase, written kebab-case on the
 * command line). Unknown options and bad values throw a UsageError naming the
 * valid ones.
 */
export function parseArgs(command: string, argv: string[], specs: OptionSpecs): Parsed {
  const opts: Record<string, ParsedValue | undefined> = {};
  const given = new Set<string>();
  const positional: string[] = [];
  const valid = () => Object.keys(specs).map((k) => `--${kebab(k)}`).join(', ');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--') || arg === '--') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = camel(arg.slice(2, eq < 0 ? undefined : eq));
    const spec = specs[name];
    if (!spec) throw new UsageError(`${command}: unknown option '${arg.slice(0, eq < 0 ? undefined : eq)}' (valid: ${valid()})`);
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else if (spec.kind === 'bool') raw = 'true';
    else if (i + 1 < argv.length) raw = argv[++i];
    else throw new UsageError(`${command}: option --${kebab(name)} needs a value (${spec.value ?? spec.kind})`);
    opts[name] = convert(command, name, spec, raw);
    given.add(name);
  }
  for (const [name, spec] of Object.entries(specs)) if (!(name in opts) && spec.default !== undefined) opts[name] = spec.default;
  return { opts, given, positional };
}

function convert(command: string, name: string, spec: OptionSpec, raw: string): ParsedValue {
  const bad = (what: string): never => {
    throw new UsageError(`${command}: --${kebab(name)} ${what}, got '${raw}'`);
  };
  switch (spec.kind) {
    case 'bool':
      if (raw === 'true' || raw === '1' || raw === 'yes') return true;
      if (raw === 'false' || raw === '0' || raw === 'no') return false;
      return bad('must be true or false');
    case 'number': {
      const v = Number(raw);
      return raw.trim() !== '' && Number.isFinite(v) ? v : bad('must be a finite number');
    }
    case 'int': {
      const v = Number(raw);
      return raw.trim() !== '' && Number.isSafeInteger(v) ? v : bad('must be an integer');
    }
    case 'ints': {
      const v = raw.split(/[,x]/).map(Number);
      return v.length > 0 && v.every((d) => Number.isSafeInteger(d) && d > 0) ? v : bad('must be positive integers separated by commas (e.g. 3,224,224)');
    }
    default:
      if (spec.choices && !spec.choices.includes(raw)) bad(`must be one of ${spec.choices.join(', ')}`);
      return raw;
  }
}

/** The options block of a command's help text. */
export function formatOptions(specs: OptionSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const value = s.kind === 'bool' ? '' : ` ${s.value ?? (s.choices ? s.choices.join('|') : s.kind.toUpperCase())}`;
    const def = s.default !== undefined && s.kind !== 'bool' ? ` (default ${String(s.default)})` : '';
    return [`  --${kebab(name)}${value}`, `${s.help}${def}`];
  });
  const w = Math.max(...rows.map(([a]) => a.length)) + 2;
  return rows.map(([a, b]) => a.padEnd(w) + b).join('\n');
}
