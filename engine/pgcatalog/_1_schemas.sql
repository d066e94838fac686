-- The schemas the compatibility layer lives in. DuckDB reserves the names
-- pg_catalog and information_schema (its own emulation lives there and no
-- entry can be added to it), so the layer has schemas of its own: every
-- connection's DuckDB search_path starts with lakegate_pg_catalog, and the
-- pgcatalog rewrite sends pg_catalog.X and information_schema.X here.
CREATE SCHEMA lakegate_pg_catalog;
CREATE SCHEMA lakegate_information_schema;
