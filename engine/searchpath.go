package engine

import "strings"

// search_path resolves unqualified names as in PostgreSQL: after SET
// search_path = demo, `select * from sales` reads demo.sales. Each
// statement runs with DuckDB's search_path set to the layer first (as
// PostgreSQL searches pg_catalog first), then the lake schemas of the
// session's search_path that exist, in order, then DuckDB's main schema;
// the lake planning resolves unqualified lake tables through the same
// schemas (lakeSchemas).

// lakeSchemas are the schemas of the session's search_path in which
// unqualified lake tables are looked up, in order: those that hold lake
// tables or configured views, then DuckDB's main.
func (s *Session) lakeSchemas() []string {
	var out []string
	for _, name := range searchPathSchemas(s.rewriteEnv(), false) {
		if s.engine.schemas[name] && name != defaultSchema {
			out = append(out, name)
		}
	}
	return append(out, defaultSchema)
}

// duckSearchPath is the DuckDB search_path for the session's.
func (s *Session) duckSearchPath() string {
	parts := []string{layerSchema}
	for _, name := range s.lakeSchemas() {
		parts = append(parts, quoteIdent(name))
	}
	return strings.Join(parts, ",")
}

// applySearchPath sets the session's search path on c, a connection it is
// about to run a statement on, unless c has it already. DuckDB resolves
// names when it prepares, so a change forgets c's prepared statements.
func (s *Session) applySearchPath(c *duckConn) error {
	want := s.duckSearchPath()
	current := c.searchPath
	if current == "" {
		current = layerSearchPathValue
	}
	if current == want {
		return nil
	}
	if err := c.exec("SET search_path = " + quoteLiteral(want)); err != nil {
		return err
	}
	c.forgetPrepared()
	c.searchPath = want
	return nil
}
