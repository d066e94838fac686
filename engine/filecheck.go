package engine

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/sqlstate"
)

// Statement checks: what a query may name. The sandbox keeps DuckDB inside
// the lake and the file cache, but inside them a query could still read a
// table's files without its view (read_parquet('<lake path>'), a
// replacement scan FROM '<lake path>', glob, parquet_metadata, query()...),
// skipping grants, row filters and masks, or read lakegate's own variables
// (getvariable('lakegate_files_0') names the files). So before DuckDB runs
// a query, DuckDB's own parser reads the text that will run
// (json_serialize_sql, DuckDB's AST as JSON, the same parser that will
// execute it, including syntax pg_query cannot parse), and the tree is
// walked for:
//
//   - table functions: only those that make rows from values (range,
//     unnest, ...) and the compatibility layer's table macros;
//   - base tables: only the lake's tables, the configured views, the
//     compatibility layer's relations and the query's own CTEs (a name
//     that is none of these is a replacement scan: a file);
//   - scalar functions that read lakegate's or DuckDB's state
//     (getvariable, current_setting, which_secret).
//
// The lake tables found are added to those the statement reads, so their
// grants are checked and their policies set. DuckDB parses only SELECTs
// into JSON: any other statement type is classified by DuckDB's statement
// type (classify.go), and a SELECT-typed statement it cannot serialize
// (PIVOT, SUMMARIZE) is refused. The verdict is cached by SQL text.

// allowedTableFunctions make rows from their arguments alone.
var allowedTableFunctions = map[string]bool{
	"range": true, "generate_series": true, "unnest": true,
	"json_each": true, "json_tree": true, "repeat": true, "repeat_row": true,
}

// refusedScalarFunctions read lakegate's or DuckDB's own state.
var refusedScalarFunctions = map[string]bool{
	"getvariable": true, "current_setting": true, "which_secret": true,
}

// layerSchemas are the compatibility layer's DuckDB schemas.
var layerSchemas = map[string]bool{layerSchema: true, "lakegate_information_schema": true}

// statementChecks holds what queries may name, and the verdicts by text.
type statementChecks struct {
	// lake is the engine's current lake; a reload replaces it, and with
	// it every verdict (they name its tables).
	lake *atomic.Pointer[lakeViews]
	// relations are the layer's relations and the configured views, as
	// "schema.name", and by bare name for unqualified references.
	relations     map[string]bool
	bareRelations map[string]bool
	// macros are the layer's table macros, by bare name.
	macros map[string]bool
	// internal are the layer's helper relations (lakegate_*), which
	// clients read only through its views.
	internal map[string]bool
	// system are DuckDB's own views (duckdb_settings, its pg_catalog and
	// information_schema), as "schema.name" and by bare name: they show
	// view definitions, settings and paths.
	system, bareSystem map[string]bool

	mu        sync.Mutex
	verdicts  map[string]checkVerdict
	verdictOf *lakeViews // the lake the verdicts were reached for
}

// maxVerdicts bounds the verdict cache; it is emptied when full.
const maxVerdicts = 4096

type checkVerdict struct {
	err error
	// unchecked: DuckDB could not serialize it (not a SELECT, or a SELECT
	// form its serializer lacks); syntax: because it could not parse it.
	unchecked, syntax bool
	tables            []*catalog.Table
	// bare are the unqualified names that may be lake tables of the
	// session's search_path.
	bare []string
}

// newStatementChecks reads the layer's relations and macros from DuckDB.
func newStatementChecks(ctx context.Context, c *duckConn, views []View, lake *atomic.Pointer[lakeViews]) (*statementChecks, error) {
	sc := &statementChecks{lake: lake, relations: map[string]bool{}, bareRelations: map[string]bool{},
		macros: map[string]bool{}, internal: map[string]bool{}, system: map[string]bool{}, bareSystem: map[string]bool{},
		verdicts: map[string]checkVerdict{}}
	for _, v := range views {
		sc.relations[strings.ToLower(v.Schema+"."+v.Name)] = true
		if v.Schema == defaultSchema {
			sc.bareRelations[strings.ToLower(v.Name)] = true
		}
	}
	rows, err := queryStrings(ctx, c, `SELECT schema_name, view_name FROM duckdb_views()
		WHERE schema_name IN ('lakegate_pg_catalog', 'lakegate_information_schema')
		UNION ALL SELECT schema_name, table_name FROM duckdb_tables()
		WHERE schema_name IN ('lakegate_pg_catalog', 'lakegate_information_schema')`)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		name := strings.ToLower(r[1])
		if strings.HasPrefix(name, "lakegate_") {
			// The layer's own helpers: lakegate_descriptions lists every
			// table, granted or not.
			sc.internal[name] = true
			continue
		}
		sc.relations[strings.ToLower(r[0])+"."+name] = true
		if r[0] == layerSchema { // first on the search path
			sc.bareRelations[name] = true
		}
	}
	rows, err = queryStrings(ctx, c, `SELECT schema_name, view_name FROM duckdb_views() WHERE internal
		UNION ALL SELECT schema_name, table_name FROM duckdb_tables() WHERE internal`)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		sc.system[strings.ToLower(r[0]+"."+r[1])] = true
		sc.bareSystem[strings.ToLower(r[1])] = true
	}
	rows, err = queryStrings(ctx, c, `SELECT DISTINCT function_name FROM duckdb_functions()
		WHERE function_type = 'table_macro' AND schema_name IN ('lakegate_pg_catalog', 'lakegate_information_schema')`)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		sc.macros[strings.ToLower(r[0])] = true
	}
	return sc, nil
}

// check vets the text of one statement DuckDB is about to prepare.
func (sc *statementChecks) check(ctx context.Context, c *duckConn, sql string) checkVerdict {
	lv := sc.lake.Load()
	sc.mu.Lock()
	if sc.verdictOf != lv { // the catalog was reloaded
		clear(sc.verdicts)
		sc.verdictOf = lv
	}
	v, ok := sc.verdicts[sql]
	sc.mu.Unlock()
	if ok {
		return v
	}
	v = sc.compute(ctx, c, sql)
	if ctx.Err() != nil {
		return v // not a verdict on the text
	}
	sc.mu.Lock()
	if len(sc.verdicts) >= maxVerdicts {
		clear(sc.verdicts)
	}
	if sc.verdictOf == lv {
		sc.verdicts[sql] = v
	}
	sc.mu.Unlock()
	return v
}

func (sc *statementChecks) compute(ctx context.Context, c *duckConn, sql string) checkVerdict {
	rows, err := serializeSQL(ctx, c, explainedQuery(sql))
	if err != nil {
		return checkVerdict{err: translateError(err, sql, 0)}
	}
	var tree struct {
		Error      bool   `json:"error"`
		ErrorType  string `json:"error_type"`
		Statements []any  `json:"statements"`
	}
	if len(rows) != 1 || json.Unmarshal([]byte(rows[0][0]), &tree) != nil {
		return checkVerdict{unchecked: true}
	}
	if tree.Error {
		// A syntax error is DuckDB's to report (preparing it fails before
		// anything runs). Anything else is a statement DuckDB would have
		// to prepare to classify, and preparing some has effects (EXPORT
		// DATABASE creates its directory, PIVOT creates a type): it is
		// refused by its first keyword.
		if tree.ErrorType == "parser" || tree.ErrorType == "syntax" {
			return checkVerdict{unchecked: true, syntax: true}
		}
		return checkVerdict{unchecked: true, err: refuseUnserializable(sql)}
	}
	w := &astWalk{sc: sc, ctes: map[string]bool{}}
	for _, node := range tree.Statements {
		collectCTEs(node, w.ctes)
		w.walk(node)
		if w.err != nil {
			return checkVerdict{err: w.err}
		}
	}
	return checkVerdict{tables: w.tables, bare: w.bare}
}

// explainedQuery is the query an EXPLAIN [ANALYZE] [(options)] explains,
// or sql itself: DuckDB serializes only the query.
func explainedQuery(sql string) string {
	res, err := pg_query.Scan(sql)
	if err != nil || len(res.Tokens) == 0 || !strings.EqualFold(sql[res.Tokens[0].Start:res.Tokens[0].End], "explain") {
		return sql
	}
	toks := res.Tokens[1:]
	if len(toks) > 0 && toks[0].Token == pg_query.Token_ASCII_40 {
		depth := 0
		for i, t := range toks {
			if t.Token == pg_query.Token_ASCII_40 {
				depth++
			} else if t.Token == pg_query.Token_ASCII_41 {
				depth--
				if depth == 0 {
					toks = toks[i+1:]
					break
				}
			}
		}
	}
	for len(toks) > 0 {
		word := strings.ToLower(sql[toks[0].Start:toks[0].End])
		if word != "analyze" && word != "analyse" && word != "verbose" {
			break
		}
		toks = toks[1:]
	}
	if len(toks) == 0 {
		return sql
	}
	return sql[toks[0].Start:]
}

// collectCTEs gathers the names of every CTE in the tree.
func collectCTEs(node any, into map[string]bool) {
	switch n := node.(type) {
	case map[string]any:
		if cm, ok := n["cte_map"].(map[string]any); ok {
			if entries, ok := cm["map"].([]any); ok {
				for _, e := range entries {
					if m, ok := e.(map[string]any); ok {
						if k, ok := m["key"].(string); ok {
							into[strings.ToLower(k)] = true
						}
					}
				}
			}
		}
		for _, v := range n {
			collectCTEs(v, into)
		}
	case []any:
		for _, v := range n {
			collectCTEs(v, into)
		}
	}
}

type astWalk struct {
	sc     *statementChecks
	ctes   map[string]bool
	tables []*catalog.Table
	bare   []string
	err    error
}

// tableRefTypes are DuckDB's table reference kinds a query may use; the
// walk checks what they contain.
var tableRefTypes = map[string]bool{
	"BASE_TABLE": true, "JOIN": true, "SUBQUERY": true, "TABLE_FUNCTION": true,
	"EMPTY": true, "EXPRESSION_LIST": true,
}

func (w *astWalk) walk(node any) {
	if w.err != nil {
		return
	}
	switch n := node.(type) {
	case []any:
		for _, v := range n {
			w.walk(v)
		}
	case map[string]any:
		w.visit(n)
		for _, v := range n {
			w.walk(v)
		}
	}
}

func (w *astWalk) visit(n map[string]any) {
	str := func(key string) string { s, _ := n[key].(string); return s }
	if class := str("class"); class != "" { // an expression
		if class == "FUNCTION" && refusedScalarFunctions[strings.ToLower(str("function_name"))] {
			w.err = sqlstate.Errorf(sqlstate.InsufficientPrivilege, "function %s is not allowed through lakegate", str("function_name")).
				WithHint("It reads the gateway's own state.")
		}
		return
	}
	kind := str("type")
	_, isRef := n["query_location"]
	_, isNode := n["modifiers"]
	if kind == "" || !isRef || isNode {
		return
	}
	if !tableRefTypes[kind] {
		w.err = sqlstate.Errorf(sqlstate.FeatureNotSupported, "this form of query (%s) is not supported through lakegate", strings.ToLower(kind))
		return
	}
	switch kind {
	case "TABLE_FUNCTION":
		fn, _ := n["function"].(map[string]any)
		name, _ := fn["function_name"].(string)
		schema, _ := fn["schema"].(string)
		if !w.sc.tableFunctionAllowed(strings.ToLower(schema), strings.ToLower(name)) {
			w.err = sqlstate.Errorf(sqlstate.InsufficientPrivilege, "table function %s is not allowed through lakegate", name).
				WithHint(readThroughTablesHint)
		}
	case "BASE_TABLE":
		t, bare, ok := w.sc.relation(strings.ToLower(str("catalog_name")), str("schema_name"), str("table_name"), w.ctes)
		switch {
		case bare != "":
			w.bare = append(w.bare, bare)
		case !ok:
			w.err = sqlstate.Errorf(sqlstate.InsufficientPrivilege, "reading %q directly is not allowed through lakegate", qualified(str("catalog_name"), str("schema_name"), str("table_name"))).
				WithHint(readThroughTablesHint)
		case t != nil:
			w.tables = append(w.tables, t)
		}
	}
}

const readThroughTablesHint = "Query the catalog's tables by name: files, other databases and DuckDB's own functions are not reachable."

func qualified(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ".")
}

func (sc *statementChecks) tableFunctionAllowed(schema, name string) bool {
	switch {
	case schema == "":
		return allowedTableFunctions[name] || sc.macros[name]
	case layerSchemas[schema]:
		return sc.macros[name]
	}
	return false
}

// relation resolves a base table reference as DuckDB would: a lake table
// (returned), an unqualified name the session's search_path resolves
// (returned as bare, see resolveBare), another relation clients may read
// or a name DuckDB will report missing (ok), or something they may not
// read: a file (a replacement scan), DuckDB's own views, the layer's
// helpers, another catalog (not ok).
func (sc *statementChecks) relation(catalogName, schema, name string, ctes map[string]bool) (t *catalog.Table, bare string, ok bool) {
	if catalogName != "" && catalogName != "memory" {
		return nil, "", false
	}
	lschema, lname := strings.ToLower(schema), strings.ToLower(name)
	fileLike := isFileLike(name)
	if sc.internal[lname] && (schema == "" || layerSchemas[lschema]) && !ctes[lname] {
		return nil, "", false
	}
	if schema == "" {
		switch {
		case ctes[lname] && !fileLike:
			return nil, "", true
		case sc.bareRelations[lname]:
			return nil, "", true
		case sc.bareSystem[lname]:
			return nil, "", false
		case fileLike && !isSnapshotName(name):
			return nil, "", false
		}
		return nil, name, true
	}
	lake := sc.lake.Load().lake
	if lake != nil {
		if t := lake.Table(schema, name); t != nil {
			return t, "", true
		}
		if t := lake.Table(lschema, lname); t != nil {
			return t, "", true
		}
	}
	key := lschema + "." + lname
	if sc.relations[key] {
		return nil, "", true
	}
	if isSnapshotName(name) && lake != nil {
		base := name[:strings.IndexByte(name, '@')]
		if lake.Table(schema, base) != nil || lake.Table(lschema, strings.ToLower(base)) != nil {
			return nil, "", true // a snapshot the catalog cannot find: it reports it missing
		}
	}
	return nil, "", !fileLike && !sc.system[key] && lschema != "pg_catalog" && lschema != "information_schema"
}

// isFileLike reports whether a table name could be a file DuckDB reads by
// replacement scan (a path, a glob, a URL, a name with an extension).
func isFileLike(name string) bool { return strings.ContainsAny(name, "./\\:*?") }

// isSnapshotName reports whether name may be a lake table as of a
// snapshot ("sales@123", "sales@2024-01-01 10:00:00"): no path separator.
func isSnapshotName(name string) bool {
	return strings.IndexByte(name, '@') > 0 && !strings.ContainsAny(name, "/\\")
}

// resolveBare finds the lake tables of unqualified names through the
// session's search_path, as DuckDB will (after the layer's relations and
// the query's CTEs, which the walk has ruled out). A name no lake schema
// has is DuckDB's to resolve or report missing, unless it looks like a
// file.
func (s *Session) resolveBare(names []string) ([]*catalog.Table, error) {
	lake := s.engine.lake.Load().lake
	var schemas []string
	var out []*catalog.Table
	for _, name := range names {
		var t *catalog.Table
		if lake != nil {
			if schemas == nil {
				schemas = s.lakeSchemas()
			}
			if t = lookupUnqualified(lake, schemas, name); t == nil {
				t = lookupUnqualified(lake, schemas, strings.ToLower(name))
			}
		}
		switch {
		case t != nil:
			out = append(out, t)
		case isFileLike(name):
			return nil, sqlstate.Errorf(sqlstate.InsufficientPrivilege, "reading %q directly is not allowed through lakegate", name).
				WithHint(readThroughTablesHint)
		}
	}
	return out, nil
}

// serializeSQLKey caches, per connection, the statement that serializes.
const serializeSQLKey = "\x00lakegate: json_serialize_sql"

// serializeSQL returns DuckDB's syntax tree of sql as JSON, in one row.
func serializeSQL(ctx context.Context, c *duckConn, sql string) ([][]string, error) {
	ds, err := c.cachedPrepare(serializeSQLKey, "SELECT json_serialize_sql($1::VARCHAR)::VARCHAR")
	if err != nil {
		return nil, err
	}
	if err := ds.bind([]any{sql}); err != nil {
		return nil, err
	}
	return readStrings(ctx, c, ds)
}

// queryStrings runs a query of text columns on c and returns its rows.
func queryStrings(ctx context.Context, c *duckConn, sql string) ([][]string, error) {
	ds, err := c.prepare(sql)
	if err != nil {
		return nil, err
	}
	defer ds.close()
	return readStrings(ctx, c, ds)
}

func readStrings(ctx context.Context, c *duckConn, ds *duckStmt) ([][]string, error) {
	res, err := ds.execute(ctx, c)
	if err != nil {
		return nil, err
	}
	defer res.close()
	var out [][]string
	var ch Chunk
	for {
		ok, err := res.next(ctx, c, &ch)
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		for r := range ch.Len {
			row := make([]string, len(ch.Columns))
			for i := range ch.Columns {
				if !ch.Columns[i].IsNull(r) {
					row[i] = string(ch.Columns[i].Bytes(r))
				}
			}
			out = append(out, row)
		}
	}
}

// checkStatement vets the text DuckDB will run for st and adds the lake
// tables it names to those st reads.
func (s *Session) checkStatement(ctx context.Context, c *duckConn, st *Statement, sql string) (unchecked bool, err error) {
	if s.engine.checks == nil {
		return false, nil
	}
	v := s.engine.checks.check(ctx, c, sql)
	if v.err != nil {
		s.engine.logger.Debug("statement refused by the checks", "user", s.user, "err", v.err)
		return false, v.err
	}
	bare, err := s.resolveBare(v.bare)
	if err != nil {
		return false, err
	}
	for _, ts := range [][]*catalog.Table{v.tables, bare} {
		for _, t := range ts {
			if !containsTable(st.lakeTables, t) {
				st.lakeTables = append(st.lakeTables, t)
			}
		}
	}
	return v.unchecked, nil
}

func containsTable(ts []*catalog.Table, t *catalog.Table) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// refuseUnchecked is the error for a SELECT DuckDB cannot serialize, whose
// tables therefore cannot be checked.
func refuseUnchecked() error {
	return sqlstate.Errorf(sqlstate.FeatureNotSupported, "this form of query cannot be checked for access by lakegate").
		WithHint("Write it as a plain SELECT (PIVOT, SUMMARIZE and DESCRIBE are not supported).")
}

// writeKeywords start DuckDB statements that would change something.
var writeKeywords = map[string]bool{
	"insert": true, "update": true, "delete": true, "merge": true, "create": true, "drop": true,
	"alter": true, "copy": true, "export": true, "import": true, "checkpoint": true, "vacuum": true,
	"truncate": true, "analyze": true, "comment": true, "grant": true, "revoke": true,
}

// queryKeywords start DuckDB statements that read but cannot be checked.
var queryKeywords = map[string]bool{
	"select": true, "with": true, "from": true, "values": true, "table": true, "pivot": true,
	"unpivot": true, "summarize": true, "describe": true, "show": true, "explain": true, "(": true,
}

// refuseUnserializable refuses, by its first keyword and without
// preparing it, a statement DuckDB's serializer does not take.
func refuseUnserializable(sql string) error {
	var words []string
	if res, err := pg_query.Scan(sql); err == nil {
		for _, tok := range res.Tokens {
			if len(words) == 2 {
				break
			}
			words = append(words, strings.ToLower(sql[tok.Start:tok.End]))
		}
	}
	if len(words) == 0 {
		return sqlstate.Errorf(sqlstate.InsufficientPrivilege, "this statement is not allowed through lakegate").WithHint(readOnlyHint)
	}
	name := strings.ToUpper(words[0])
	if len(words) > 1 && (words[0] == "create" || words[0] == "drop" || words[0] == "alter" || words[0] == "force") {
		name += " " + strings.ToUpper(words[1])
	}
	switch {
	case writeKeywords[words[0]]:
		return refuseWrite(name)
	case queryKeywords[words[0]]:
		return refuseUnchecked()
	}
	return sqlstate.Errorf(sqlstate.InsufficientPrivilege, "%s is not allowed through lakegate", name).WithHint(readOnlyHint)
}
