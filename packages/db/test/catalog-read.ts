// The catalog as the tests read it back, and the expected lists (catalog.ts) put in the order the
// queries answer in.
import { readCatalog, unnamedIndexDef, type Connection } from '../src/index.js';
import type { Column, Constraint, ForeignKey, Index } from './catalog.js';
import { rows, sql } from './helpers.js';

/** Code-point order (what `collate "C"` gives), so expectations sort as the queries do. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Named objects ordered by table, then name. */
export function byTableAndName<T extends { table: string; name: string }>(...lists: T[][]): T[] {
  return lists.flat().sort((a, b) => byCodePoint(a.table, b.table) || byCodePoint(a.name, b.name));
}

/**
 * Columns ordered by table, then position: each list adds its columns after those of the lists
 * before it (ALTER TABLE ADD COLUMN appends), so pass them in migration order.
 */
export function inColumnOrder(...lists: Column[][]): Column[] {
  const tables = [...new Set(lists.flat().map((col) => col.table))].sort(byCodePoint);
  return tables.flatMap((table) => lists.flatMap((list) => list.filter((col) => col.table === table)));
}

// What the database holds, read by the one catalog query the schema check and the doctor use.
export async function columns(c: Connection): Promise<Column[]> {
  return (await readCatalog(c.db)).columns;
}

/** information_schema's view of the same columns, for comparison with `informationSchemaOf`. */
export async function informationSchemaColumns(c: Connection): Promise<unknown[]> {
  return rows(
    c,
    sql`select table_name::text as "table", column_name::text as "column", data_type::text as "dataType",
               character_maximum_length::int as "length", is_nullable::text as "nullable",
               column_default::text as "default"
        from information_schema.columns
        where table_schema = 'public'
        order by table_name collate "C", ordinal_position`,
  );
}

export function informationSchemaOf(expected: Column[]): unknown[] {
  return expected.map((col) => {
    const varchar = /^character varying\((\d+)\)$/.exec(col.type);
    return {
      table: col.table,
      column: col.column,
      dataType: varchar ? 'character varying' : col.type,
      length: varchar ? Number(varchar[1]) : null,
      nullable: col.notNull ? 'NO' : 'YES',
      default: col.default,
    };
  });
}

export async function constraints(c: Connection): Promise<Constraint[]> {
  return (await readCatalog(c.db)).constraints;
}

export async function foreignKeys(c: Connection): Promise<ForeignKey[]> {
  return rows<ForeignKey>(
    c,
    sql`select cl.relname::text as "table", co.conname::text as name, co.confrelid::regclass::text as target,
               co.confdeltype::text as "deleteAction", co.confupdtype::text as "updateAction",
               array_to_string(array(
                 select a.attname from unnest(co.conkey) with ordinality as k(attnum, ord)
                 join pg_attribute a on a.attrelid = co.conrelid and a.attnum = k.attnum
                 order by k.ord), ',') as columns,
               array_to_string(array(
                 select a.attname from unnest(co.confkey) with ordinality as k(attnum, ord)
                 join pg_attribute a on a.attrelid = co.confrelid and a.attnum = k.attnum
                 order by k.ord), ',') as "refColumns"
        from pg_constraint co
        join pg_class cl on cl.oid = co.conrelid
        join pg_namespace n on n.oid = cl.relnamespace
        where n.nspname = 'public' and co.contype = 'f'
        order by cl.relname collate "C", co.conname collate "C"`,
  );
}

/** Indexes by definition without their names: compare with {@link expectedIndexes}. */
export async function indexes(c: Connection): Promise<Index[]> {
  return (await readCatalog(c.db)).indexes;
}

/** The expected indexes in the catalog's order, their definitions without the index's name. */
export function expectedIndexes(...lists: Index[][]): Index[] {
  return byTableAndName(...lists).map((index) => ({ ...index, def: unnamedIndexDef(index.def) }));
}

/** Installed extensions, by name. */
export async function extensions(c: Connection): Promise<string[]> {
  return (await readCatalog(c.db)).extensions;
}

/** How many columns named owner_id the public schema has (0 before 0002, 2 after). */
export async function ownerColumns(c: Connection): Promise<number> {
  const [row] = await rows<{ n: number | string }>(
    c,
    sql`select count(*)::int as n from information_schema.columns
        where table_schema = 'public' and column_name = 'owner_id'`,
  );
  return Number(row?.n);
}
