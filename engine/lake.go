package engine

import (
	"context"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/sqlstate"
)

// Lake is the catalog of lake tables the engine serves; *catalog.Catalog
// implements it.
type Lake interface {
	Tables() []*catalog.Table
	Table(schema, name string) *catalog.Table
	// Refresh reloads one table's file index, or every table's if schema
	// and name are empty.
	Refresh(ctx context.Context, schema, name string) error
}

// Each lake table is a DuckDB view over read_parquet whose file list is a
// DuckDB variable, getvariable('lakegate_files_N'). Variables belong to a
// DuckDB connection, so each statement sets, on the connection that runs
// it, the file lists its pruning kept: the user's SQL runs as written, and
// a statement pg_query cannot parse still reads the right tables (found by
// scanning its tokens), unpruned.
//
// DuckDB folds getvariable into the plan when a statement is prepared, so
// the prepared-statement cache is keyed by the SQL and the file lists.

// lakeViews keeps one DuckDB view per lake table, rebuilt when the table's
// SQL changes (a refresh found a new schema or new delete files).
type lakeViews struct {
	lake Lake
	// access, when set, puts each user's policies in the views; hidden
	// caches, by user, the tables the user is not granted (access.go).
	access Access
	hidden sync.Map
	mu     sync.Mutex
	views  map[*catalog.Table]*lakeView
	// retired are the tables of the catalog this one replaced (reload.go):
	// a statement prepared before the reload must not recreate their views.
	retired map[*catalog.Table]bool
}

type lakeView struct {
	variable string
	// locations is the variable of the files' own locations, for views
	// that need them ("" otherwise).
	locations string
	version   uint64
	created   bool
	columns   []string // the view's column names, for pushdown hints
	// policies are the table's row filters and masks by user; nil
	// without access rules.
	policies *tablePolicies
}

func newLakeViews(lake Lake, access Access) *lakeViews {
	lv := &lakeViews{lake: lake, access: access, views: map[*catalog.Table]*lakeView{}}
	if lake != nil {
		for i, t := range lake.Tables() {
			lv.views[t] = &lakeView{variable: "lakegate_files_" + strconv.Itoa(i)}
		}
	}
	return lv
}

// createAll creates the views of every table that loaded; the others are
// created when they first load and are queried.
func (lv *lakeViews) createAll(ctx context.Context, c *duckConn) []error {
	var errs []error
	if lv.lake == nil {
		return nil
	}
	for _, t := range lv.lake.Tables() {
		if t.Err() != nil {
			errs = append(errs, t.Err())
			continue
		}
		if _, err := lv.ensure(ctx, c, t); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// ensure makes t's view current and returns its variables.
func (lv *lakeViews) ensure(ctx context.Context, c *duckConn, t *catalog.Table) (lakeView, error) {
	lv.mu.Lock()
	defer lv.mu.Unlock()
	v := lv.views[t]
	if v == nil && lv.retired[t] {
		return lakeView{}, errTableRetired(t)
	}
	if v == nil { // a table as of a snapshot, first used now
		v = &lakeView{variable: "lakegate_files_" + strconv.Itoa(len(lv.views))}
		lv.views[t] = v
	}
	version := t.Version()
	if v.created && v.version == version {
		return *v, nil
	}
	// Creating the view binds it, and binding needs a file to read.
	scan, err := t.SchemaScan(ctx)
	if err != nil {
		return lakeView{}, err
	}
	defer scan.Release()
	v.locations = ""
	if t.NeedsLocations() {
		v.locations = strings.Replace(v.variable, "files", "locations", 1)
	}
	body, err := t.ViewSQL(ctx, "getvariable("+quoteLiteral(v.variable)+")", "getvariable("+quoteLiteral(v.locations)+")")
	if err != nil {
		return lakeView{}, err
	}
	if err := c.setVariables(v.fileLists(scan)); err != nil {
		return lakeView{}, err
	}
	if lv.access != nil {
		if v.policies == nil {
			v.policies = newTablePolicies(lv.access, t, strings.Replace(v.variable, "files", "policy", 1))
		}
		if body, err = v.policies.wrapTable(ctx, c, t, body); err != nil {
			return lakeView{}, err
		}
	}
	for _, stmt := range []string{
		"CREATE SCHEMA IF NOT EXISTS " + quoteIdent(t.Schema),
		"CREATE OR REPLACE VIEW " + quoteIdent(t.Schema) + "." + quoteIdent(t.Name) + " AS " + body,
	} {
		if err := c.exec(stmt); err != nil {
			if v.policies != nil {
				return lakeView{}, &PolicyError{Table: t.Schema + "." + t.Name, Err: err}
			}
			return lakeView{}, fmt.Errorf("creating the view of %s.%s: %w", t.Schema, t.Name, err)
		}
	}
	ds, err := c.prepare("SELECT * FROM " + quoteIdent(t.Schema) + "." + quoteIdent(t.Name))
	if err != nil {
		return lakeView{}, fmt.Errorf("describing the view of %s.%s: %w", t.Schema, t.Name, err)
	}
	defer ds.close()
	v.columns = v.columns[:0]
	for _, col := range ds.columns() {
		v.columns = append(v.columns, col.Name)
	}
	v.created, v.version = true, version
	return *v, nil
}

// fileLists are the variable values that make the view read scan: none
// for an empty table, whose view reads no files.
func (v lakeView) fileLists(scan *catalog.Scan) []fileList {
	if len(scan.Paths) == 0 {
		return nil
	}
	lists := []fileList{{variable: v.variable, paths: scan.Paths}}
	if v.locations != "" {
		lists = append(lists, fileList{variable: v.locations, paths: scan.Locations})
	}
	return lists
}

// columns returns the column names of t's view, creating it if needed.
func (lv *lakeViews) columns(ctx context.Context, c *duckConn, t *catalog.Table) ([]string, error) {
	if _, err := lv.ensure(ctx, c, t); err != nil {
		return nil, err
	}
	lv.mu.Lock()
	defer lv.mu.Unlock()
	return slices.Clone(lv.views[t].columns), nil
}

// policyVariable is the value of t's policy variable for user, and
// whether user is granted t; no variable without access rules.
func (lv *lakeViews) policyVariable(t *catalog.Table, user string) (fileList, bool) {
	lv.mu.Lock()
	defer lv.mu.Unlock()
	v := lv.views[t]
	if lv.access == nil || v == nil || v.policies == nil {
		return fileList{}, lv.access == nil
	}
	return v.policies.policyVariable(user)
}

// maskedColumns are the columns of t masked for user.
func (lv *lakeViews) maskedColumns(t *catalog.Table, user string) map[string]string {
	lv.mu.Lock()
	defer lv.mu.Unlock()
	if v := lv.views[t]; v != nil && v.policies != nil {
		return v.policies.maskedColumns(user)
	}
	return nil
}

// fileList is the value of one variable: a view's file list, or, when
// literal is set, that SQL constant (a policy id).
type fileList struct {
	variable string
	paths    []string
	literal  string
}

var listSeed = maphash.MakeSeed()

func (f fileList) hash() uint64 {
	var h maphash.Hash
	h.SetSeed(listSeed)
	h.WriteString(f.literal)
	h.WriteByte(0)
	for _, p := range f.paths {
		h.WriteString(p)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// setVariables makes the connection's file variables exactly lists: the
// ones given are set (unless already equal) and any other left over from
// an earlier statement is reset, so it cannot leak stale pruning into a
// statement that does not mention its table.
func (c *duckConn) setVariables(lists []fileList) error {
	want := make(map[string]uint64, len(lists))
	for _, l := range lists {
		want[l.variable] = l.hash()
	}
	for name := range c.variables {
		if _, ok := want[name]; !ok {
			if err := c.exec("RESET VARIABLE " + name); err != nil {
				return err
			}
			delete(c.variables, name)
		}
	}
	for _, l := range lists {
		h := want[l.variable]
		if old, ok := c.variables[l.variable]; ok && old == h {
			continue
		}
		value := l.literal
		if value == "" {
			quoted := make([]string, len(l.paths))
			for i, p := range l.paths {
				quoted[i] = quoteLiteral(p)
			}
			value = "[" + strings.Join(quoted, ", ") + "]"
		}
		if err := c.exec("SET VARIABLE " + l.variable + " = " + value); err != nil {
			return err
		}
		if c.variables == nil {
			c.variables = map[string]uint64{}
		}
		c.variables[l.variable] = h
	}
	return nil
}

// variablesKey identifies the connection's current file lists, for the
// prepared-statement cache.
func (c *duckConn) variablesKey(lists []fileList) string {
	if len(lists) == 0 {
		return ""
	}
	var b strings.Builder
	for _, l := range lists {
		b.WriteString("\x00")
		b.WriteString(l.variable)
		b.WriteString("=")
		b.WriteString(strconv.FormatUint(c.variables[l.variable], 16))
	}
	return b.String()
}

// lakeScans are the catalog scans one execution of a statement reads.
type lakeScans struct {
	scans []*catalog.Scan
	lists []fileList
}

func (ls *lakeScans) fileLists() []fileList {
	if ls == nil {
		return nil
	}
	return ls.lists
}

func (ls *lakeScans) release() {
	if ls == nil {
		return
	}
	for _, s := range ls.scans {
		s.Release()
	}
	ls.scans = nil
}

// planLake plans every lake table the statement reads, with the filters
// its predicates give under args. Before the parameters are known
// (describe), a statement with parameters reads one file per table: enough
// for DuckDB to describe it.
func (s *Session) planLake(ctx context.Context, c *duckConn, st *Statement, args []any, describe bool) (*lakeScans, error) {
	lv := s.engine.lake.Load()
	if err := lv.follow(st); err != nil {
		return nil, err
	}
	for _, t := range st.lakeTables {
		if err := s.checkGranted(t); err != nil {
			return nil, err
		}
	}
	if len(st.lakeTables) == 0 {
		return nil, c.setVariables(s.sessionVariables())
	}
	filters := st.lakeFilters(args)
	s.dropMaskedPredicates(filters)
	ls := &lakeScans{lists: s.sessionVariables()}
	for _, t := range st.lakeTables {
		if err := t.Err(); err != nil {
			ls.release()
			return nil, sqlstate.Wrap(err, sqlstate.IOError, err.Error())
		}
		view, err := lv.ensure(ctx, c, t)
		if err != nil {
			ls.release()
			return nil, err
		}
		var scan *catalog.Scan
		switch {
		case describe: // one file is enough to describe; the portal plans for real
			scan, err = t.SchemaScan(ctx)
		case st.explainOnly:
			scan, err = t.Estimate(ctx, filters[t])
		default:
			scan, err = t.Plan(ctx, filters[t])
		}
		if err != nil {
			ls.release()
			return nil, sqlstate.Wrap(err, sqlstate.IOError, err.Error())
		}
		ls.scans = append(ls.scans, scan)
		ls.lists = append(ls.lists, view.fileLists(scan)...)
		if policy, granted := lv.policyVariable(t, s.user); !granted {
			ls.release()
			if err := s.checkGranted(t); err != nil {
				return nil, err
			}
			return nil, sqlstate.Errorf(sqlstate.InsufficientPrivilege, "permission denied for table %s", t.Name)
		} else if policy.variable != "" {
			ls.lists = append(ls.lists, policy)
		}
		s.engine.logger.Debug("lake scan", "table", t.Schema+"."+t.Name,
			"files_kept", scan.Kept.Files, "files_total", scan.Total.Files,
			"bytes_kept", scan.Kept.Bytes, "bytes_total", scan.Total.Bytes, "planning", scan.Planning)
	}
	if err := c.setVariables(ls.lists); err != nil {
		ls.release()
		return nil, err
	}
	return ls, nil
}
