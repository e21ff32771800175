import { describe, expect, it } from 'vitest';
import { MigrationError } from './errors.ts';
import { orderMigrations, parseMigration, quoteIdentifier, quoteLiteral } from './migration-sql.ts';

const vars = { db_password: "it's", owner: 'command_handler' };
const sqls = (text: string, v: Record<string, string> = vars) => parseMigration(text, v).map((s) => s.sql);

describe('parseMigration', () => {
  it('splits statements at semicolons and drops empty ones', () => {
    expect(sqls('create table a (x int);\n\n  select 1 ;;\n-- trailing comment\n')).toEqual([
      'create table a (x int);',
      'select 1 ;',
    ]);
  });

  it('substitutes :\'v\' as a literal, :"v" as an identifier and :v raw, like psql', () => {
    expect(sqls("alter role x password :'db_password';")).toEqual(["alter role x password 'it''s';"]);
    expect(sqls('grant all on t to :"owner";')).toEqual(['grant all on t to "command_handler";']);
    expect(sqls('grant all on t to :owner;')).toEqual(['grant all on t to command_handler;']);
  });

  it('leaves casts, quotes, comments and dollar-quoted bodies alone', () => {
    const text = [
      "select '1'::int, ':db_password', E'a\\':owner';",
      '-- :owner; not a statement end',
      'select 1 /* :owner; /* nested */ still comment */;',
      "do $$ begin perform ':owner;'; end $$;",
      'do $body$ select $$x;$$ $body$;',
      'select "col;:owner" from t;',
    ].join('\n');
    expect(sqls(text)).toEqual([
      "select '1'::int, ':db_password', E'a\\':owner';",
      '-- :owner; not a statement end\nselect 1 /* :owner; /* nested */ still comment */;',
      "do $$ begin perform ':owner;'; end $$;",
      'do $body$ select $$x;$$ $body$;',
      'select "col;:owner" from t;',
    ]);
  });

  it('treats positional parameters as such, not as dollar quotes', () => {
    expect(sqls('prepare p as select $1; select 2;')).toEqual(['prepare p as select $1;', 'select 2;']);
  });

  it('marks queries ended by \\gexec', () => {
    const out = parseMigration(
      "select 'create database d' where not exists (select 1)\\gexec\nselect 1;",
      vars,
    );
    expect(out).toEqual([
      { sql: "select 'create database d' where not exists (select 1)", gexec: true },
      { sql: 'select 1;', gexec: false },
    ]);
  });

  it('names the file and line of an unknown variable or meta-command', () => {
    expect(() => parseMigration('select 1;\nselect :nope;', vars, 'x.sql')).toThrow(
      /x\.sql:2: unknown variable :nope/,
    );
    expect(() => parseMigration('\\connect other', vars, 'y.sql')).toThrow(MigrationError);
    expect(() => parseMigration("select 'open", vars)).toThrow(/unterminated quoted string/);
    expect(() => parseMigration('do $$ begin', vars)).toThrow(/unterminated dollar-quoted/);
    expect(() => parseMigration('select 1 as "open', vars)).toThrow(/unterminated quoted identifier/);
  });

  it('keeps a quoted identifier whole, doubled quotes and semicolons in it included', () => {
    expect(sqls('create table "a"";b" (x int); select 1;')).toEqual([
      'create table "a"";b" (x int);',
      'select 1;',
    ]);
  });
});

describe('quoting', () => {
  it('doubles quotes and switches to E-strings for backslashes, like PQescapeLiteral', () => {
    expect(quoteLiteral("a'b")).toBe("'a''b'");
    expect(quoteLiteral('a\\b')).toBe("E'a\\\\b'");
    expect(quoteIdentifier('we"ird')).toBe('"we""ird"');
  });
});

describe('orderMigrations', () => {
  it('orders by file name byte-wise and ignores non-SQL files', () => {
    expect(
      orderMigrations(['010-b.sql', 'README.md', '002-a.sql', '001-Z.sql', '001-a.sql', '.gitkeep']),
    ).toEqual(['001-Z.sql', '001-a.sql', '002-a.sql', '010-b.sql']);
  });
});
