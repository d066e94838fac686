package engine

import "github.com/lakegate/lakegate/catalog"

// resolveFilters turns a statement's hints into catalog filters, per
// table, with parameters bound to args (as Bind receives them). Every table
// the hints reference is in the map. A table referenced several times must
// be read for the OR of its references' filters, which is what the list
// holds; a nil list means every row may be needed (some reference has no
// usable predicate), which is what catalog planning does with it.
//
// A predicate whose parameter is missing or cannot be converted is
// dropped: the filter only gets weaker.
func resolveFilters(hints []tableHint, args []any) map[TableKey][]catalog.Filter {
	out := make(map[TableKey][]catalog.Filter, len(hints))
	whole := make(map[TableKey]bool)
	for _, h := range hints {
		key := h.Table.Key()
		if whole[key] {
			continue
		}
		var f catalog.Filter
		for _, p := range h.Filter {
			if cp, ok := resolvePredicate(p, args); ok {
				f = append(f, cp)
			}
		}
		if len(f) == 0 {
			whole[key] = true
			out[key] = nil
			continue
		}
		out[key] = append(out[key], f)
	}
	return out
}

func resolvePredicate(p hintPredicate, args []any) (catalog.Predicate, bool) {
	cp := catalog.Predicate{Column: p.Column, Op: p.Op}
	for _, hv := range p.Values {
		v, null, ok := hv.resolve(args)
		switch {
		case !ok:
			return catalog.Predicate{}, false
		case null && p.Op == catalog.OpIn:
			continue // x IN (1, NULL) is x IN (1)
		case null:
			// Never true; but no pruning is done on the strength of that.
			return catalog.Predicate{}, false
		}
		cp.Values = append(cp.Values, v)
	}
	if len(p.Values) > 0 && len(cp.Values) == 0 {
		return catalog.Predicate{}, false
	}
	return cp, true
}

// resolve returns the value, with the parameter bound and cast. null is
// set for a NULL parameter (a cast of NULL is NULL).
func (hv hintValue) resolve(args []any) (v catalog.Value, null, ok bool) {
	if hv.Param == 0 {
		return hv.Const, false, true
	}
	if hv.Param > len(args) {
		return catalog.Value{}, false, false
	}
	v, null, ok = paramValue(args[hv.Param-1])
	if !ok || null {
		return v, null, ok
	}
	for _, c := range hv.Casts {
		if v, ok = applyCast(v, c); !ok {
			return catalog.Value{}, false, false
		}
	}
	return v, false, true
}

// paramValue converts a parameter value of a Go type Bind accepts. A text
// value stays a string for the catalog to read as the column's type, as
// DuckDB casts it to the parameter's. A float is compared as given: DuckDB
// binds it as a DOUBLE rather than rounding it to an integer column's type.
// bytea is not converted.
func paramValue(arg any) (v catalog.Value, null, ok bool) {
	switch a := arg.(type) {
	case nil:
		return catalog.Value{}, true, true
	case string:
		return catalog.String(a), false, true
	case bool:
		return catalog.Bool(a), false, true
	case int16:
		return catalog.Int(int64(a)), false, true
	case int32:
		return catalog.Int(int64(a)), false, true
	case int64:
		return catalog.Int(a), false, true
	case float32:
		return catalog.Float(float64(a)), false, true
	case float64:
		return catalog.Float(a), false, true
	}
	return catalog.Value{}, false, false
}
