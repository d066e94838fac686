package engine

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/lakegate/lakegate/sqlstate"
)

// The PostgreSQL compatibility layer: pg_catalog and information_schema
// for the lake, as DuckDB views and macros kept in pgcatalog/*.sql (one
// file per relation; files starting with _ hold the helpers), installed
// when the engine opens. See doc.go.

//go:embed pgcatalog/*.sql pgcatalog/information_schema/*.sql
var pgcatalogFiles embed.FS

// layerSearchPath is every DuckDB connection's search path: the layer
// first, as PostgreSQL searches pg_catalog first, then DuckDB's default
// schema.
const layerSearchPath = "SET search_path = '" + layerSearchPathValue + "'"

// layerSearchPathValue is that search path (searchpath.go sets the
// session's own per statement).
const layerSearchPathValue = layerSchema + ",main"

// PostgreSQLVersionString is what version() returns: PostgreSQL's form
// (SQLAlchemy and others parse "PostgreSQL N.N") with lakegate's and
// DuckDB's versions.
func PostgreSQLVersionString(duckdb string) string {
	return "PostgreSQL " + PostgreSQLVersion + " (lakegate " + Version + ", DuckDB " + duckdb +
		") on x86_64-pc-linux-gnu, compiled by Go, 64-bit"
}

// installCompat creates the layer. A file that fails is retried after the
// others (views must be created after the views they read); one that still
// fails is a startup error.
func installCompat(ctx context.Context, c *duckConn, lake Lake, duckdbVersion string) error {
	var files []string
	for _, dir := range []string{"pgcatalog", "pgcatalog/information_schema"} {
		entries, err := fs.ReadDir(pgcatalogFiles, dir)
		if err != nil {
			return err
		}
		var names []string
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".sql") {
				names = append(names, path.Join(dir, e.Name()))
			}
		}
		sort.Strings(names)
		files = append(files, names...)
	}
	if err := registerWireTypes(c); err != nil {
		return err
	}
	repl := strings.NewReplacer("{{version}}", strings.ReplaceAll(PostgreSQLVersionString(duckdbVersion), "'", "''"))
	pending := files
	for len(pending) > 0 {
		var failed []string
		var errs []error
		for _, name := range pending {
			if err := ctx.Err(); err != nil {
				return err
			}
			text, err := pgcatalogFiles.ReadFile(name)
			if err != nil {
				return err
			}
			if err := c.exec("BEGIN; " + repl.Replace(string(text)) + "\n; COMMIT"); err != nil {
				c.exec("ROLLBACK")
				failed = append(failed, name)
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			} else if name == "pgcatalog/_1_schemas.sql" {
				// The helpers call each other unqualified.
				if err := c.exec(layerSearchPath); err != nil {
					return err
				}
			}
		}
		if len(failed) == len(pending) {
			return errors.Join(errs...)
		}
		pending = failed
	}
	if err := typeCatalogViews(c); err != nil {
		return err
	}
	return insertDescriptions(c, lake)
}

func insertDescriptions(c *duckConn, lake Lake) error {
	if lake == nil {
		return nil
	}
	var rows []string
	for _, t := range lake.Tables() {
		if t.Description != "" {
			rows = append(rows, "("+quoteLiteral(t.Schema)+", "+quoteLiteral(t.Name)+", "+quoteLiteral(t.Description)+")")
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return c.exec("INSERT INTO " + layerSchema + ".lakegate_descriptions VALUES " + strings.Join(rows, ", "))
}

// rewriteEnv is the session as the rewrites see it.
func (s *Session) rewriteEnv() *rewriteEnv {
	env := &rewriteEnv{user: s.user, database: s.database}
	env.setting = func(name string) (string, bool) {
		env.variable = true
		_, v, err := s.settings.get(name)
		return v, err == nil
	}
	env.settings = func() (names, values, descriptions []string) {
		env.variable = true
		for _, n := range sortedSettingNames() {
			def := settingsByName[strings.ToLower(n)]
			names = append(names, def.name)
			values = append(values, s.settings.values[def.name])
			descriptions = append(descriptions, def.description)
		}
		return
	}
	env.schemaExists = func(name string) bool {
		env.variable = true
		return s.engine.schemaExists(name)
	}
	return env
}

// schemaExists reports whether clients see a schema of that name.
func (e *Engine) schemaExists(name string) bool {
	switch name {
	case "pg_catalog", "public", "information_schema":
		return true
	}
	return (*e.schemas.Load())[name]
}

// applyRewrites rewrites a query pg_query parsed (see rewrite.go). A
// rewritten statement runs the rewritten text, rebuilt at each Bind with
// the session's values of then if a rewrite read any.
func (s *Session) applyRewrites(st *Statement) error {
	node := st.source.node
	if node == nil || st.query != nil || (node.GetSelectStmt() == nil && node.GetExplainStmt() == nil) {
		return nil
	}
	env := s.rewriteEnv()
	sql, tree, ok, err := rewriteStatement(env, node)
	if err != nil {
		return sqlstate.Wrap(err, sqlstate.InternalError, "rewriting the statement for DuckDB: "+err.Error())
	}
	if !ok {
		return nil
	}
	st.source.sql, st.source.node = sql, tree
	if !env.variable { // the same text at every Bind
		st.query = func(*Session) (string, error) { return sql, nil }
		return nil
	}
	st.query = func(s *Session) (string, error) {
		sql, _, ok, err := rewriteStatement(s.rewriteEnv(), node)
		if err != nil || !ok {
			return st.source.sql, err
		}
		return sql, nil
	}
	return nil
}
