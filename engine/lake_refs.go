package engine

import (
	"context"
	"slices"

	"github.com/lakegate/lakegate/catalog"
)

// findLakeTables records which lake tables a statement reads and the
// pushdown hints on them. The tables are those the parse tree references
// and, as a safety net, any its tokens name: a table found only by its
// tokens (or in a statement pg_query cannot parse) is read whole.
func (s *Session) findLakeTables(ctx context.Context, c *duckConn, st *Statement) {
	lv := s.engine.lake
	if lv.lake == nil {
		return
	}
	unqualified := s.lakeSchemas()
	st.lakeTables = tablesInTokens(st.source.sql, lv.lake, unqualified)
	st.hints = nil
	if st.source.node == nil {
		return
	}
	st.hints = extractHints(st.source.node, func(schema, name string) (TableRef, bool) {
		var t *catalog.Table
		if schema == "" {
			t = lookupUnqualified(lv.lake, unqualified, name)
		} else {
			t = lv.lake.Table(schema, name)
		}
		if t == nil {
			return TableRef{}, false
		}
		columns, err := lv.columns(ctx, c, t)
		if err != nil {
			return TableRef{}, false // planLake reports the table's error
		}
		return TableRef{Schema: t.Schema, Name: t.Name, Columns: columns}, true
	})
	for _, h := range st.hints {
		if t := lv.lake.Table(h.Table.Schema, h.Table.Name); t != nil && !slices.Contains(st.lakeTables, t) {
			st.lakeTables = append(st.lakeTables, t)
		}
	}
}

// lakeFilters is, per lake table, the OR of the filters of its references
// under args. A table missing from the map is read whole.
func (st *Statement) lakeFilters(args []any) map[*catalog.Table][]catalog.Filter {
	if len(st.hints) == 0 {
		return nil
	}
	byKey := resolveFilters(st.hints, args)
	out := make(map[*catalog.Table][]catalog.Filter, len(byKey))
	for _, t := range st.lakeTables {
		if f, ok := byKey[TableKey{t.Schema, t.Name}]; ok {
			out[t] = f
		}
	}
	return out
}
