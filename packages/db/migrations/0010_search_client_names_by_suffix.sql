-- Client search whose cost follows the matches, not the size of the list (issue 15). A trigram
-- index reads the posting lists of every trigram of the query, and a trigram belongs to a fixed
-- share of all names: at a million names, 'Maria B. Ross' read 547 index pages for 2 matches.
-- "Any part of the name" is the start of one of the name's suffixes, so the index holds every
-- suffix of the lower-cased name, keyed with the owner ('42 ross', '42 oss', '42 ss', '42 s'), and
-- a search is one prefix walk to the entries that start with '42 <q>' (GIN's partial match).
-- Suffixes that start with a space are left out: the API trims the query. The query is made by the
-- second function in the same database, so both sides are lower-cased by the same lower().
-- SQL-standard bodies: every name in them is bound when the function is created, whatever the
-- search_path of the session that later evaluates them.
CREATE OR REPLACE FUNCTION agentcaller_client_name_suffixes(owner integer, full_name text) RETURNS tsvector
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN array_to_tsvector(ARRAY(
		SELECT owner::text || ' ' || substr(lower(full_name), i)
		FROM generate_series(1, length(full_name)) AS i
		WHERE substr(full_name, i, 1) <> ' '
	));--> statement-breakpoint
-- The one lexeme '<owner> <lower(q)>' as a prefix query: quoted, its backslashes and quotes
-- escaped, so that no character of q is read as tsquery syntax (&, |, !, :*, <->, parentheses).
CREATE OR REPLACE FUNCTION agentcaller_client_name_query(owner integer, q text) RETURNS tsquery
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN ('''' || replace(replace(owner::text || ' ' || lower(q), '\', '\\'), '''', '''''') || ''':*')::tsquery;--> statement-breakpoint
-- IF NOT EXISTS: a team with a large client list may build the index beforehand without blocking
-- writes (docs/database.md, "0010 on a large client list"); the schema check compares its definition.
CREATE INDEX IF NOT EXISTS "ix_clients_name_suffixes" ON "clients" USING gin (agentcaller_client_name_suffixes("owner_id", "name"));--> statement-breakpoint
DROP INDEX IF EXISTS "ix_clients_owner_name_trgm";
