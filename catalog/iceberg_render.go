package catalog

import (
	"slices"
	"strconv"
	"strings"
)

// Rendering an Iceberg view's SQL text (see iceberg_sql.go for its shape
// and why). Every name the view introduces starts with lg_ or is c<field
// id>, so no table column can collide with one.

// render writes the view. located says whether locationsToken holds the
// files' locations (else each local path is its own location).
func (b *viewBuilder) render(m *fileMeta, localDeletes []string, located bool) string {
	needMeta := m.rows() > 0
	if !needMeta && m.nameMapped.names == nil {
		var sb strings.Builder
		sb.WriteString("SELECT ")
		b.writeOutputs(&sb, "")
		sb.WriteString(" FROM ")
		sb.WriteString(b.readParquet(filesToken, nil, false, false))
		return sb.String()
	}
	var ctes []string
	ctes = append(ctes, "lg_scan AS ("+b.scan(m, located, needMeta)+")")
	loc := "s.lg_file"
	if needMeta && located {
		ctes = append(ctes, "lg_files AS (SELECT unnest("+locationsToken+") AS lg_loc, unnest("+filesToken+") AS lg_local)")
		loc = "f.lg_loc"
	}
	if needMeta && m.file != "" {
		ctes = append(ctes, "lg_meta AS ("+b.metaFromFile(m, m.file)+")")
	} else if needMeta {
		ctes = append(ctes, "lg_meta AS ("+b.metaSQL(m)+")")
	}
	var conds []string
	if m.hasPos {
		ctes = append(ctes, "lg_del AS ("+b.positionalSQL(m, localDeletes)+")")
		// Equality only, so that DuckDB runs a hash anti-join; which
		// delete file applies to which data file is settled in lg_del.
		conds = append(conds, "NOT EXISTS (SELECT 1 FROM lg_del d WHERE d.lg_raw = m.lg_raw AND d.lg_pos = s.lg_pos)")
	}
	if m.hasEq {
		for g, grp := range b.equalityGroups() {
			name := "lg_eq_" + strconv.Itoa(g)
			ctes = append(ctes, name+" AS ("+b.equalitySQL(grp, localDeletes)+")")
			var eqs []string
			for _, id := range grp.ids {
				c, _ := b.col(id)
				eqs = append(eqs, "e.e"+strconv.Itoa(id)+" IS NOT DISTINCT FROM "+c.value())
			}
			conds = append(conds, "NOT EXISTS (SELECT 1 FROM "+name+" e WHERE list_contains(m.lg_eq, e.lg_k) AND "+
				strings.Join(eqs, " AND ")+")")
		}
	}
	var sb strings.Builder
	sb.WriteString("WITH ")
	sb.WriteString(strings.Join(ctes, ",\n"))
	sb.WriteString("\nSELECT ")
	b.writeOutputs(&sb, "s.")
	sb.WriteString(" FROM lg_scan s")
	if needMeta && located {
		sb.WriteString(" JOIN lg_files f ON f.lg_local = s.lg_file")
	}
	if needMeta {
		sb.WriteString(" LEFT JOIN lg_meta m ON m.lg_loc = " + loc)
	}
	if len(conds) > 0 {
		sb.WriteString("\nWHERE ")
		sb.WriteString(strings.Join(conds, "\n  AND "))
	}
	return sb.String()
}

// writeOutputs writes the table's columns; prefix is "" when the columns
// come straight from read_parquet (no constants then).
func (b *viewBuilder) writeOutputs(sb *strings.Builder, prefix string) {
	first := true
	for _, c := range b.cols {
		if !c.output {
			continue
		}
		if !first {
			sb.WriteString(", ")
		}
		first = false
		if prefix == "" {
			sb.WriteString(c.internal())
		} else {
			sb.WriteString(c.value())
		}
		sb.WriteString(" AS ")
		sb.WriteString(duckIdent(c.name))
	}
}

// readParquet is the read_parquet call over list with the columns mapped
// by field id, or by name through names when it is not nil.
func (b *viewBuilder) readParquet(list string, names map[int][]string, filename, rowNumber bool) string {
	var entries []string
	for _, c := range b.cols {
		if names == nil {
			entries = append(entries, strconv.Itoa(c.id)+": "+schemaEntry(c.internal(), c.duck, c.def))
			continue
		}
		for k, n := range names[c.id] {
			entries = append(entries, quoteLiteral(n)+": "+schemaEntry(c.internal()+"_"+strconv.Itoa(k), c.duck, c.def))
		}
	}
	var sb strings.Builder
	sb.WriteString("read_parquet(")
	sb.WriteString(list)
	if len(entries) > 0 {
		sb.WriteString(", schema = MAP {")
		sb.WriteString(strings.Join(entries, ", "))
		sb.WriteString("}")
	}
	sb.WriteString(", hive_partitioning = false")
	if filename {
		sb.WriteString(", filename = true")
	}
	if rowNumber {
		sb.WriteString(", file_row_number = true")
	}
	sb.WriteString(")")
	return sb.String()
}

func schemaEntry(name, duck, def string) string {
	return "{name: " + quoteLiteral(name) + ", type: " + quoteLiteral(duck) + ", default_value: " + def + "}"
}

// scan is the SELECT of every column read from the data files, with the
// file and row number when per-file facts or positions are needed. With a
// name mapping, files without field ids are read by name in a second
// branch, each branch over its share of the files.
func (b *viewBuilder) scan(m *fileMeta, located, filename bool) string {
	nm := m.nameMapped
	if nm.names == nil {
		return b.branch(filesToken, nil, filename, m.hasPos)
	}
	if nm.allByName {
		return b.branch(filesToken, nm.names, filename, m.hasPos)
	}
	// Test membership in the smaller of the two sets.
	set, setByName := nm.byName, true
	if len(nm.byID) < len(nm.byName) {
		set, setByName = nm.byID, false
	}
	lits := make([]string, len(set))
	for i, l := range set {
		lits[i] = quoteLiteral(l)
	}
	locOf := "lg_x"
	if located {
		locOf = locationsToken + "[lg_i]"
	}
	in := "list_contains([" + strings.Join(lits, ", ") + "], " + locOf + ")"
	byName := "list_filter(" + filesToken + ", lambda lg_x, lg_i: " + in + ")"
	byID := "list_filter(" + filesToken + ", lambda lg_x, lg_i: NOT " + in + ")"
	if !setByName {
		byName, byID = byID, byName
	}
	return b.guardedBranch(byID, nil, filename, m.hasPos) + "\nUNION ALL\n" +
		b.guardedBranch(byName, nm.names, filename, m.hasPos)
}

// guardedBranch reads list, which may be empty for a query: read_parquet
// then gets the first file instead, whose rows the WHERE drops.
func (b *viewBuilder) guardedBranch(list string, names map[int][]string, filename, rowNumber bool) string {
	guarded := "CASE WHEN len(" + list + ") = 0 THEN [" + filesToken + "[1]] ELSE " + list + " END"
	return b.branch(guarded, names, filename, rowNumber) + " WHERE len(" + list + ") > 0"
}

func (b *viewBuilder) branch(list string, names map[int][]string, filename, rowNumber bool) string {
	var sel []string
	for _, c := range b.cols {
		if names == nil {
			sel = append(sel, c.internal())
			continue
		}
		var alts []string
		for k := range names[c.id] {
			alts = append(alts, c.internal()+"_"+strconv.Itoa(k))
		}
		switch len(alts) {
		case 0:
			sel = append(sel, "CAST("+c.def+" AS "+c.duck+") AS "+c.internal())
		case 1:
			sel = append(sel, alts[0]+" AS "+c.internal())
		default:
			sel = append(sel, "COALESCE("+strings.Join(alts, ", ")+") AS "+c.internal())
		}
	}
	if filename {
		sel = append(sel, "filename AS lg_file")
	}
	if rowNumber {
		sel = append(sel, "file_row_number AS lg_pos")
	}
	return "SELECT " + strings.Join(sel, ", ") + " FROM " + b.readParquet(list, names, filename, rowNumber)
}

// metaSQL is the per-file list as one row per file.
func (b *viewBuilder) metaSQL(m *fileMeta) string {
	col := func(items []string, cast, name string) string {
		return "unnest([" + strings.Join(items, ", ") + "]" + cast + ") AS " + name
	}
	quoted := func(ss []string) []string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = quoteLiteral(s)
		}
		return out
	}
	lists := func(ls [][]int) []string {
		out := make([]string, len(ls))
		for i, l := range ls {
			out[i] = intList(l)
		}
		return out
	}
	sel := []string{col(quoted(m.locs), "::VARCHAR[]", "lg_loc")}
	if m.hasPos {
		sel = append(sel, col(quoted(m.raws), "::VARCHAR[]", "lg_raw"), col(lists(m.pos), "::INTEGER[][]", "lg_pd"))
	}
	if m.hasEq {
		sel = append(sel, col(lists(m.eq), "::INTEGER[][]", "lg_eq"))
	}
	for _, id := range m.constIDs {
		c, _ := b.col(id)
		vals := make([]string, len(m.consts[id]))
		for i, v := range m.consts[id] {
			vals[i] = "NULL"
			if v != nil {
				vals[i] = quoteLiteral(*v)
			}
		}
		sel = append(sel, col(vals, "::VARCHAR[]::"+c.duck+"[]", "p"+strconv.Itoa(id)))
	}
	return "SELECT " + strings.Join(sel, ", ")
}

func intList(l []int) string {
	if len(l) == 0 {
		return "NULL"
	}
	s := make([]string, len(l))
	for i, v := range l {
		s[i] = strconv.Itoa(v)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// numberedFiles is a list of delete files and the expression that gives
// the delete number (1-based index into the state's deletes) of the file
// read_parquet's filename column names.
func numberedFiles(idx []int, localDeletes []string) (list, number string) {
	paths := make([]string, len(idx))
	for i, k := range idx {
		paths[i] = quoteLiteral(localDeletes[k-1])
	}
	list = "[" + strings.Join(paths, ", ") + "]"
	return list, intList(idx) + "[list_position(" + list + ", filename)]"
}

// positionalSQL lists the deleted (file path, position) pairs: the rows of
// the positional delete files, kept only for the data files each delete
// file applies to (lg_meta's lg_pd), and the ranges of the deletion
// vectors, which name their one data file.
func (b *viewBuilder) positionalSQL(m *fileMeta, localDeletes []string) string {
	var idx []int
	for i, d := range b.st.deletes {
		if d.eqIDs == nil {
			idx = append(idx, i+1)
		}
	}
	var parts []string
	if len(idx) > 0 {
		list, number := numberedFiles(idx, localDeletes)
		parts = append(parts, "SELECT d.lg_raw, d.lg_pos FROM (SELECT file_path::VARCHAR AS lg_raw, pos AS lg_pos, "+number+
			" AS lg_k FROM read_parquet("+list+", filename = true, hive_partitioning = false)) d"+
			" SEMI JOIN (SELECT lg_raw, unnest(lg_pd) AS lg_k FROM lg_meta) a ON a.lg_raw = d.lg_raw AND a.lg_k = d.lg_k")
	}
	if m.dvFile != "" {
		parts = append(parts, "SELECT lg_raw, unnest(range(lg_from, lg_to)) AS lg_pos FROM read_parquet("+quoteLiteral(m.dvFile)+")")
	} else if len(m.dvRaws) > 0 {
		froms, tos := make([]string, len(m.dvFrom)), make([]string, len(m.dvTo))
		raws := make([]string, len(m.dvRaws))
		for i := range m.dvRaws {
			raws[i] = quoteLiteral(m.dvRaws[i])
			froms[i] = strconv.FormatInt(m.dvFrom[i], 10)
			tos[i] = strconv.FormatInt(m.dvTo[i], 10)
		}
		parts = append(parts, "SELECT lg_raw, unnest(range(lg_from, lg_to)) AS lg_pos FROM (SELECT unnest(["+
			strings.Join(raws, ", ")+"]::VARCHAR[]) AS lg_raw, unnest(["+strings.Join(froms, ", ")+"]::BIGINT[]) AS lg_from, unnest(["+
			strings.Join(tos, ", ")+"]::BIGINT[]) AS lg_to)")
	}
	return strings.Join(parts, "\nUNION ALL\n")
}

// equalityGroup is the equality delete files that share equality fields.
type equalityGroup struct {
	ids   []int
	files []int // delete numbers
}

func (b *viewBuilder) equalityGroups() []equalityGroup {
	var groups []equalityGroup
	for i, d := range b.st.deletes {
		if d.eqIDs == nil {
			continue
		}
		ids := slices.Clone(d.eqIDs)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		j := slices.IndexFunc(groups, func(g equalityGroup) bool { return slices.Equal(g.ids, ids) })
		if j < 0 {
			groups = append(groups, equalityGroup{ids: ids})
			j = len(groups) - 1
		}
		groups[j].files = append(groups[j].files, i+1)
	}
	return groups
}

// equalitySQL reads a group's delete rows, their columns mapped by field
// id and cast to the table's types, so that they compare with the data.
func (b *viewBuilder) equalitySQL(g equalityGroup, localDeletes []string) string {
	list, number := numberedFiles(g.files, localDeletes)
	var entries, sel []string
	for _, id := range g.ids {
		c, _ := b.col(id)
		e := "e" + strconv.Itoa(id)
		entries = append(entries, strconv.Itoa(id)+": "+schemaEntry(e, c.duck, "NULL::VARCHAR"))
		sel = append(sel, e)
	}
	return "SELECT " + strings.Join(sel, ", ") + ", " + number + " AS lg_k FROM read_parquet(" + list +
		", schema = MAP {" + strings.Join(entries, ", ") + "}, filename = true, hive_partitioning = false)"
}
