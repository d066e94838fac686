package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/sqlstate"
)

// Reloading the catalog (SIGHUP): the engine's views follow a new Lake
// without dropping sessions. New and changed tables get their views
// (re)created, removed ones are dropped, and statements prepared against
// the old catalog's tables fail with 0A000 instead of bringing old views
// back. The sandbox's allowed directories cannot change once locked, so a
// new catalog whose local tables live elsewhere is refused: that takes a
// restart.

// generation numbers the lake's view variables across reloads, so that a
// new catalog's variables never share a name with the old one's.
var generation atomic.Int64

// schemaSet is the set of schemas clients see.
func schemaSet(views []View, lake Lake) *map[string]bool {
	set := map[string]bool{}
	for _, v := range views {
		set[v.Schema] = true
	}
	if lake != nil {
		for _, t := range lake.Tables() {
			set[t.Schema] = true
		}
	}
	return &set
}

// ReplaceLake makes lake the catalog the engine serves, with access (nil:
// everyone reads everything) as its grants, row filters and masks.
// allowed are the directories the sandbox was opened with; every local
// directory of the new lake must be inside one. On error the old catalog
// stays in service.
func (e *Engine) ReplaceLake(ctx context.Context, lake Lake, access Access, allowed, needed []string) error {
	for _, dir := range needed {
		if !insideAny(dir, allowed) {
			return fmt.Errorf("%s is outside the directories DuckDB may read (set when lakegate started); restart lakegate to serve it", dir)
		}
	}
	old := e.lake.Load()
	next := &lakeViews{lake: lake, access: access, views: map[*catalog.Table]*lakeView{}, retired: map[*catalog.Table]bool{}}
	gen := strconv.FormatInt(generation.Add(1), 10)
	for i, t := range lake.Tables() {
		next.views[t] = &lakeView{variable: "lakegate_files_g" + gen + "_" + strconv.Itoa(i)}
	}
	old.mu.Lock()
	for t := range old.views {
		next.retired[t] = true
	}
	for t := range old.retired {
		next.retired[t] = true
	}
	old.mu.Unlock()
	c, err := e.pool.get()
	if err != nil {
		return err
	}
	defer e.pool.put(c)
	for _, err := range next.createAll(ctx, c) {
		e.logger.Error("lake table not served until it loads", "err", err)
	}
	// Drop the views of tables that are gone; a schema left empty stays,
	// harmlessly, until the next restart.
	for _, t := range oldTables(old) {
		if lake.Table(t.Schema, t.Name) == nil {
			if err := c.exec("DROP VIEW IF EXISTS " + quoteIdent(t.Schema) + "." + quoteIdent(t.Name)); err != nil {
				e.logger.Error("cannot drop the view of a removed table", "table", t.Schema+"."+t.Name, "err", err)
			}
		}
	}
	e.lake.Store(next)
	e.schemas.Store(schemaSet(e.views, lake))
	return nil
}

// insideAny reports whether dir is one of roots or below one.
func insideAny(dir string, roots []string) bool {
	dir = filepath.Clean(dir)
	for _, r := range roots {
		r = filepath.Clean(r)
		if dir == r || strings.HasPrefix(dir, r+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

func oldTables(lv *lakeViews) []*catalog.Table {
	if lv.lake == nil {
		return nil
	}
	return lv.lake.Tables()
}

// follow points a statement prepared before a reload at the new catalog's
// tables of the same names, so that it goes on running, as PostgreSQL's
// prepared statements survive changes that leave their result alone (the
// portal checks the result columns, see Statement.followed). A table that
// is gone fails as before.
func (lv *lakeViews) follow(st *Statement) error {
	for i, t := range st.lakeTables {
		if !lv.retired[t] { // set when lv was made, read-only since
			continue
		}
		next := lv.lake.Table(t.Schema, t.Name)
		if next == nil {
			return errTableRetired(t)
		}
		st.lakeTables[i] = next
		st.followed = true
	}
	return nil
}

// errPlanChanged is PostgreSQL's error for a prepared statement whose
// result columns changed under it.
func errPlanChanged() error {
	return sqlstate.Errorf(sqlstate.FeatureNotSupported, "cached plan must not change result type").
		WithHint("Prepare the statement again.")
}

func errTableRetired(t *catalog.Table) error {
	return sqlstate.Errorf(sqlstate.FeatureNotSupported, "cached plan must not change result type").
		WithDetail(fmt.Sprintf("The catalog was reloaded after this statement was prepared; %s.%s is no longer the same table.", t.Schema, t.Name)).
		WithHint("Prepare the statement again.")
}
