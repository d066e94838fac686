package engine

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/lakegate/lakegate/catalog"
)

// findLakeTables records which lake tables a statement reads and the
// pushdown hints on them: from the parse tree when there is one, else from
// the statement's tokens (read unpruned).
func (s *Session) findLakeTables(st *Statement) {
	lake := s.engine.lake.lake
	if lake == nil {
		return
	}
	st.lakeTables, st.hints, st.hasParams = nil, nil, false
	if st.source.node == nil {
		st.lakeTables = tablesInTokens(st.source.sql, lake)
		st.hasParams = true // unknown: describe with one file per table
		return
	}
	st.hasParams = hasParamRefs(st.source.sql)
	st.lakeTables = tablesInTokens(st.source.sql, lake)
}

// hasParamRefs reports whether the statement has $n parameters.
func hasParamRefs(sql string) bool {
	res, err := pg_query.Scan(sql)
	if err != nil {
		return true
	}
	for _, tok := range res.Tokens {
		if tok.Token == pg_query.Token_PARAM {
			return true
		}
	}
	return false
}

// lakeFilters is, per lake table, the OR of the filters of its references
// under args. A table missing from the map is read whole.
func (st *Statement) lakeFilters(args []any) map[*catalog.Table][]catalog.Filter {
	return nil
}
