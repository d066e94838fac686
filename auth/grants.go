package auth

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Grants are the config's roles section (and its access section): which
// lake tables each user may read, and the row filters and column masks
// applied to them. The engine asks it through engine.Access.
//
//	roles:
//	  analysts:
//	    members: [alice, bob]        # users or other roles
//	    grants: ["demo.*", "sales.orders"]
//	    row_filters:
//	      demo.sales: "region = 'EU'"
//	    masks:
//	      demo.customers:
//	        email: "left(email, 2) || '***'"
//	access:
//	  hide_ungranted: true           # 42P01 rather than 42501
//
// A user's roles are the roles that list them as a member, directly or
// through other roles, and the role named like the user. Combining roles:
//
//   - grants are a union: a table is readable if any role grants it;
//   - row filters OR together, like PostgreSQL's permissive row security
//     policies: a row is visible if any granting role lets it through (a
//     granting role without a filter lets every row through);
//   - a column is shown in clear if any granting role leaves it unmasked;
//     if every granting role masks it, the mask of the first such role in
//     name order applies.
//
// A row filter or mask on a table the same role does not grant is a
// config error: it could never apply.
type Grants struct {
	roles         map[string]*role
	names         []string // role names, sorted
	hideUngranted bool
}

type role struct {
	name       string
	members    []string
	grants     []string // lower-case patterns over "schema.table"
	rowFilters map[string]string
	masks      map[string]map[string]string
}

// ParseGrants reads the top-level roles and access sections of the config file file
// (the file is only named in errors). It returns nil when there is no
// roles section: every user may read every table.
func ParseGrants(file string, sections map[string]yaml.Node) (*Grants, error) {
	g := &Grants{roles: map[string]*role{}}
	if n, ok := sections["access"]; ok {
		if err := g.decodeAccess(file, &n); err != nil {
			return nil, err
		}
	}
	n, ok := sections["roles"]
	if !ok {
		if g.hideUngranted {
			return nil, configError(file, &n, "access", errors.New("hide_ungranted needs a roles section"))
		}
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, configError(file, &n, "roles", errors.New("must be a mapping of role names to roles"))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name := n.Content[i].Value
		r, err := decodeRole(file, name, n.Content[i+1])
		if err != nil {
			return nil, err
		}
		g.roles[name] = r
		g.names = append(g.names, name)
	}
	sort.Strings(g.names)
	return g, nil
}

func (g *Grants) decodeAccess(file string, n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return configError(file, n, "access", errors.New("must be a mapping"))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		switch key.Value {
		case "hide_ungranted":
			if err := val.Decode(&g.hideUngranted); err != nil {
				return configError(file, val, "access.hide_ungranted", errors.New("must be true or false"))
			}
		default:
			return configError(file, key, "access."+key.Value, errors.New("unknown field (known: hide_ungranted)"))
		}
	}
	return nil
}

func decodeRole(file, name string, n *yaml.Node) (*role, error) {
	field := "roles." + name
	if n.Kind != yaml.MappingNode {
		return nil, configError(file, n, field, errors.New("must be a mapping with members, grants, row_filters, masks"))
	}
	r := &role{name: name, rowFilters: map[string]string{}, masks: map[string]map[string]string{}}
	lines := map[string]*yaml.Node{} // "row_filters.t" / "masks.t" → its key, for errors
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		f := field + "." + key.Value
		var err error
		if (key.Value == "row_filters" || key.Value == "masks") && val.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(val.Content); j += 2 {
				lines[key.Value+"."+strings.ToLower(val.Content[j].Value)] = val.Content[j]
			}
		}
		switch key.Value {
		case "members":
			err = val.Decode(&r.members)
		case "grants":
			var grants []string
			if err = val.Decode(&grants); err == nil {
				for _, p := range grants {
					p = strings.ToLower(strings.TrimSpace(p))
					if _, perr := path.Match(p, ""); perr != nil || p == "" {
						return nil, configError(file, val, f, fmt.Errorf("bad grant pattern %q", p))
					}
					r.grants = append(r.grants, p)
				}
			}
		case "row_filters":
			var filters map[string]string
			if err = val.Decode(&filters); err == nil {
				for table, expr := range filters {
					if strings.TrimSpace(expr) == "" {
						return nil, configError(file, val, f+"."+table, errors.New("empty row filter"))
					}
					r.rowFilters[strings.ToLower(table)] = expr
				}
			}
		case "masks":
			var masks map[string]map[string]string
			if err = val.Decode(&masks); err == nil {
				for table, cols := range masks {
					m := map[string]string{}
					for col, expr := range cols {
						if strings.TrimSpace(expr) == "" {
							return nil, configError(file, val, f+"."+table+"."+col, errors.New("empty mask"))
						}
						m[col] = expr
					}
					r.masks[strings.ToLower(table)] = m
				}
			}
		default:
			return nil, configError(file, key, f, errors.New("unknown field (known: members, grants, row_filters, masks)"))
		}
		if err != nil {
			return nil, configError(file, val, f, err)
		}
	}
	for table := range r.rowFilters {
		if !validTableName(table) || !r.grantsTable(table) {
			return nil, configError(file, lines["row_filters."+table], field+".row_filters."+table, errors.New("the role does not grant this table (want schema.table among its grants)"))
		}
	}
	for table := range r.masks {
		if !validTableName(table) || !r.grantsTable(table) {
			return nil, configError(file, lines["masks."+table], field+".masks."+table, errors.New("the role does not grant this table (want schema.table among its grants)"))
		}
	}
	return r, nil
}

func validTableName(t string) bool {
	schema, name, ok := strings.Cut(t, ".")
	return ok && schema != "" && name != "" && !strings.ContainsAny(t, "*?[")
}

// grantsTable reports whether one of the role's own patterns matches the
// lower-case "schema.table". A pattern without a dot names a schema.
func (r *role) grantsTable(table string) bool {
	schema, _, _ := strings.Cut(table, ".")
	for _, p := range r.grants {
		subject := table
		if !strings.Contains(p, ".") {
			subject = schema
		}
		if ok, _ := path.Match(p, subject); ok {
			return true
		}
	}
	return false
}

// HideUngranted reports whether an ungranted table is reported as missing
// (42P01) rather than forbidden (42501).
func (g *Grants) HideUngranted() bool { return g.hideUngranted }

// Users are every name that may hold a role: the members of every role
// and the role names themselves (a role named like a user applies to it).
// Other users have no grant.
func (g *Grants) Users() []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, name := range g.names {
		add(name)
		for _, m := range g.roles[name].members {
			add(m)
		}
	}
	sort.Strings(out)
	return out
}

// rolesOf is the roles user holds, in name order.
func (g *Grants) rolesOf(user string) []*role {
	held := map[string]bool{}
	var visit func(member string)
	visit = func(member string) {
		for _, name := range g.names {
			if !held[name] && (name == member || slices.Contains(g.roles[name].members, member)) {
				held[name] = true
				visit(name)
			}
		}
	}
	visit(user)
	var out []*role
	for _, name := range g.names {
		if held[name] {
			out = append(out, g.roles[name])
		}
	}
	return out
}

// Table reports whether user may read schema.table and, if so, the row
// filter (empty for every row) and the masked columns with their
// expressions. A filter may use current_user; the caller substitutes the
// user.
func (g *Grants) Table(user, schema, table string) (granted bool, rowFilter string, masks map[string]string) {
	key := strings.ToLower(schema + "." + table)
	var filters []string
	unfiltered := false
	clear := map[string]bool{}
	var granting []*role
	for _, r := range g.rolesOf(user) {
		if !r.grantsTable(key) {
			continue
		}
		granting = append(granting, r)
		if f, ok := r.rowFilters[key]; ok {
			filters = append(filters, f)
		} else {
			unfiltered = true
		}
	}
	if len(granting) == 0 {
		return false, "", nil
	}
	if !unfiltered {
		if len(filters) == 1 {
			rowFilter = filters[0]
		} else {
			rowFilter = "(" + strings.Join(filters, ") OR (") + ")"
		}
	}
	// A column is in clear if some granting role does not mask it.
	for _, r := range granting {
		for col := range r.masks[key] {
			clear[col] = false
		}
	}
	for col := range clear {
		for _, r := range granting {
			if _, masked := r.masks[key][col]; !masked {
				clear[col] = true
				break
			}
		}
	}
	for col, inClear := range clear {
		if inClear {
			continue
		}
		if masks == nil {
			masks = map[string]string{}
		}
		for _, r := range granting { // the first granting role in name order
			if m, ok := r.masks[key][col]; ok {
				masks[col] = m
				break
			}
		}
	}
	return true, rowFilter, masks
}

// configError has the shape of catalog.ConfigError: file:line: field: message.
func configError(file string, n *yaml.Node, field string, err error) error {
	line := ""
	if n != nil && n.Line > 0 {
		line = fmt.Sprintf(":%d", n.Line)
	}
	return fmt.Errorf("%s%s: %s: %w", file, line, field, err)
}
