import { MigrationError } from './errors.ts';

/**
 * The small part of psql that our migration files use, so the same files run through `pnpm stack up` and
 * through `psql -v db_password=... -f file` in a Docker postgres init script:
 * - statements end at `;` (outside quotes, comments and dollar-quoted bodies);
 * - `\gexec` ends a query whose result cells are run as statements (how psql does conditional DDL such as
 *   CREATE DATABASE, which has no IF NOT EXISTS and cannot run inside a DO block);
 * - `:'name'` becomes a quoted literal, `:"name"` a quoted identifier, `:name` the raw value — like psql,
 *   never inside quotes, comments or dollar-quoted bodies (pass values into DO blocks via set_config).
 */
export interface SqlStatement {
  readonly sql: string;
  /** Run the query, then run every non-null cell of its result as a statement. */
  readonly gexec: boolean;
}

export type SqlVariables = Readonly<Record<string, string>>;

/** Like libpq's PQescapeLiteral: doubles quotes, and uses E'' with doubled backslashes when needed. */
export function quoteLiteral(value: string): string {
  const body = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

export function quoteIdentifier(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CHAR = /[A-Za-z0-9_\u0080-\uffff]/;

export function parseMigration(text: string, variables: SqlVariables, file = 'migration'): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let current = '';
  let i = 0;
  const n = text.length;

  const fail = (message: string): never => {
    const line = text.slice(0, i).split('\n').length;
    throw new MigrationError(`${file}:${line}: ${message}`);
  };
  const variable = (name: string): string => {
    const v = variables[name];
    if (v === undefined)
      fail(`unknown variable :${name} (known: ${Object.keys(variables).join(', ') || 'none'})`);
    return v as string;
  };
  const flush = (gexec: boolean) => {
    const sql = current.trim();
    if (!/^(--[^\n]*\n?|\s|;)*$/.test(sql)) statements.push({ sql, gexec });
    else if (gexec) fail('\\gexec without a query before it');
    current = '';
  };

  while (i < n) {
    const c = text[i] as string;
    const next = text[i + 1];

    if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      current += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '/' && next === '*') {
      // Block comments nest in PostgreSQL.
      let depth = 0;
      let j = i;
      while (j < n) {
        if (text[j] === '/' && text[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (text[j] === '*' && text[j + 1] === '/') {
          depth--;
          j += 2;
          if (depth === 0) break;
        } else j++;
      }
      if (depth !== 0) fail('unterminated /* comment');
      current += text.slice(i, j);
      i = j;
      continue;
    }
    if (c === "'" || c === '"') {
      const prev = text[i - 1];
      const escapes = c === "'" && (prev === 'E' || prev === 'e') && !IDENT_CHAR.test(text[i - 2] ?? ' ');
      const j = closingQuote(text, i, escapes);
      if (j < 0) fail(c === "'" ? 'unterminated quoted string' : 'unterminated quoted identifier');
      current += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '$' && !IDENT_CHAR.test(text[i - 1] ?? ' ')) {
      const m = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(text.slice(i));
      if (m) {
        const tag = m[0];
        const end = text.indexOf(tag, i + tag.length);
        if (end < 0) fail(`unterminated dollar-quoted string ${tag}`);
        current += text.slice(i, end + tag.length);
        i = end + tag.length;
        continue;
      }
    }
    if (c === ':' && next === ':') {
      current += '::';
      i += 2;
      continue;
    }
    if (c === ':' && (next === "'" || next === '"')) {
      const close = text.indexOf(next, i + 2);
      const name = close < 0 ? '' : text.slice(i + 2, close);
      if (/^[A-Za-z0-9_]+$/.test(name)) {
        const value = variable(name);
        current += next === "'" ? quoteLiteral(value) : quoteIdentifier(value);
        i = close + 1;
        continue;
      }
    }
    if (c === ':' && next !== undefined && IDENT_START.test(next)) {
      let j = i + 1;
      while (j < n && IDENT_CHAR.test(text[j] as string)) j++;
      current += variable(text.slice(i + 1, j));
      i = j;
      continue;
    }
    if (c === '\\') {
      const m = /^\\([A-Za-z]+)/.exec(text.slice(i));
      if (m?.[1] === 'gexec') {
        flush(true);
        i += m[0].length;
        continue;
      }
      fail(`unsupported psql meta-command ${m ? m[0] : '\\'}`);
    }
    if (c === ';') {
      current += ';';
      flush(false);
      i++;
      continue;
    }
    current += c;
    i++;
  }
  flush(false);
  return statements;
}

/** Migration files in the order they run: by file name, byte-wise (not locale-dependent), `.sql` only. */
export function orderMigrations(fileNames: readonly string[]): string[] {
  return fileNames.filter((f) => f.endsWith('.sql')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The index of the quote that closes the string or identifier opened at `open` (a doubled quote stands for
 * itself; in an E'' string a backslash escapes the next character), or -1 if the text ends first.
 */
function closingQuote(text: string, open: number, escapes: boolean): number {
  const quote = text[open];
  let j = open + 1;
  while (j < text.length) {
    const d = text[j];
    if (escapes && d === '\\') j += 2;
    else if (d !== quote) j++;
    else if (text[j + 1] === quote) j += 2;
    else return j;
  }
  return -1;
}
