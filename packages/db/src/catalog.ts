// The live catalog of the public schema, read the same way on PostgreSQL 15 and PGlite (18): what
// the schema check (schema-check.ts), the doctor and the tests compare.
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from './connect.js';

export interface CatalogColumn {
  table: string;
  column: string;
  type: string;
  notNull: boolean;
  default: string | null;
}

/** A constraint by its definition; names differ between SQLAlchemy's and our DDL, so they are kept apart. */
export interface CatalogConstraint {
  table: string;
  name: string;
  /** pg_constraint.contype: p primary key, f foreign key, u unique, c check, x exclusion. */
  type: string;
  def: string;
}

export interface CatalogIndex {
  table: string;
  name: string;
  /** pg_get_indexdef without the index's name: `CREATE INDEX ON public.t USING btree (c)`. */
  def: string;
}

export interface CatalogTrigger {
  table: string;
  name: string;
  def: string;
}

export interface Catalog {
  columns: CatalogColumn[];
  constraints: CatalogConstraint[];
  indexes: CatalogIndex[];
  triggers: CatalogTrigger[];
  /** Functions of the public schema that no extension owns: `name(argument list)`. */
  functions: string[];
  extensions: string[];
}

/** `CREATE [UNIQUE] INDEX name ON ...` without the name, so indexes compare by definition. */
export function unnamedIndexDef(def: string): string {
  return def.replace(/^(CREATE (?:UNIQUE )?INDEX) \S+ ON /, '$1 ON ');
}

export async function readCatalog(db: Database): Promise<Catalog> {
  const columns = await queryRows<CatalogColumn & Record<string, unknown>>(
    db,
    sql`select cl.relname::text as "table", a.attname::text as "column",
               format_type(a.atttypid, a.atttypmod) as "type", a.attnotnull as "notNull",
               pg_get_expr(d.adbin, d.adrelid) as "default"
        from pg_attribute a
        join pg_class cl on cl.oid = a.attrelid
        join pg_namespace n on n.oid = cl.relnamespace
        left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
        where n.nspname = 'public' and cl.relkind = 'r' and a.attnum > 0 and not a.attisdropped
        order by cl.relname collate "C", a.attnum`,
  );
  const constraints = await queryRows<CatalogConstraint & Record<string, unknown>>(
    db,
    // contype 'n' (NOT NULL as a constraint, PostgreSQL 18 / PGlite) is covered by attnotnull.
    sql`select cl.relname::text as "table", co.conname::text as name, co.contype::text as type,
               pg_get_constraintdef(co.oid) as def
        from pg_constraint co
        join pg_class cl on cl.oid = co.conrelid
        join pg_namespace n on n.oid = cl.relnamespace
        where n.nspname = 'public' and co.contype <> 'n'
        order by cl.relname collate "C", co.conname collate "C"`,
  );
  const indexes = await queryRows<CatalogIndex & Record<string, unknown>>(
    db,
    sql`select tablename::text as "table", indexname::text as name, indexdef as def
        from pg_indexes where schemaname = 'public'
        order by tablename collate "C", indexname collate "C"`,
  );
  const triggers = await queryRows<CatalogTrigger & Record<string, unknown>>(
    db,
    sql`select cl.relname::text as "table", t.tgname::text as name, pg_get_triggerdef(t.oid) as def
        from pg_trigger t
        join pg_class cl on cl.oid = t.tgrelid
        join pg_namespace n on n.oid = cl.relnamespace
        where n.nspname = 'public' and not t.tgisinternal
        order by cl.relname collate "C", t.tgname collate "C"`,
  );
  const functions = await queryRows<{ signature: string }>(
    db,
    sql`select signature from (
          select p.proname::text || '(' || pg_get_function_identity_arguments(p.oid) || ')' as signature
          from pg_proc p
          join pg_namespace n on n.oid = p.pronamespace
          where n.nspname = 'public'
            and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
        ) f order by signature collate "C"`,
  );
  const extensions = await queryRows<{ name: string }>(db, sql`select extname::text as name from pg_extension order by extname collate "C"`);
  return {
    columns: columns.map((c) => ({ table: c.table, column: c.column, type: c.type, notNull: Boolean(c.notNull), default: c.default ?? null })),
    constraints: constraints.map((c) => ({ table: c.table, name: c.name, type: c.type, def: c.def })),
    indexes: indexes.map((i) => ({ table: i.table, name: i.name, def: unnamedIndexDef(i.def) })),
    triggers: triggers.map((t) => ({ table: t.table, name: t.name, def: t.def })),
    functions: functions.map((f) => f.signature),
    extensions: extensions.map((e) => e.name),
  };
}
