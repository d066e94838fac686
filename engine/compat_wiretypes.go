package engine

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	bindings "github.com/duckdb/duckdb-go-bindings"
)

// PostgreSQL's catalogs type their object identifiers oid (OID 26) and
// their one-letter codes (relkind, typtype, ...) "char" (OID 18). Clients
// that introspect depend on it: asyncpg decodes typtype as bytes and has
// built-in codecs for oid[] but not for int8[], so an int8[] column of its
// introspection query sends it introspecting int8[] with the same query,
// endlessly. DuckDB has neither type, so the layer registers two aliased
// types, which DuckDB keeps through views, comparisons, joins, CASE,
// aggregates and lists and reports with each result column:
//
//	lakegate_oid   UINTEGER with an alias: sent as oid (26), lists as oid[] (1028)
//	lakegate_char  VARCHAR with an alias:  sent as "char" (18), lists as "char"[] (1002)
//
// Types created with CREATE TYPE lose their alias in results, so these are
// registered through the C API (duckdb_register_logical_type). Arithmetic
// and string functions are not defined on them, as PostgreSQL has no
// arithmetic on oid; a cast (x::bigint, x::text) gives the base type.
const (
	oidTypeAlias  = "lakegate_oid"
	charTypeAlias = "lakegate_char"
)

// registerWireTypes registers lakegate_oid and lakegate_char in the
// database (in its main schema, which every connection's search path
// keeps).
func registerWireTypes(c *duckConn) error {
	for _, t := range []struct {
		alias string
		base  bindings.Type
	}{{oidTypeAlias, bindings.TypeUInteger}, {charTypeAlias, bindings.TypeVarchar}} {
		lt := bindings.CreateLogicalType(t.base)
		bindings.LogicalTypeSetAlias(lt, t.alias)
		state := bindings.RegisterLogicalType(c.conn, lt, bindings.CreateTypeInfo{})
		bindings.DestroyLogicalType(&lt)
		if state == bindings.StateError {
			return fmt.Errorf("registering the type %s", t.alias)
		}
	}
	return nil
}

// catalogWireTypes lists, for each view of the layer, its columns that
// PostgreSQL 15 types oid, "char", oid[] or "char"[] (TestCatalogWireTypes
// checks the list against a real PostgreSQL). The relations that are table
// macros of the session (pg_database, pg_roles, pg_authid, pg_user) cast
// their columns in _7_session.sql.
var catalogWireTypes = map[string]string{
	"pg_aggregate":             `aggkind:char aggfinalmodify:char aggmfinalmodify:char aggsortop aggtranstype aggmtranstype`,
	"pg_am":                    `oid amtype:char`,
	"pg_attrdef":               `oid adrelid`,
	"pg_attribute":             `attrelid atttypid attalign:char attstorage:char attcompression:char attidentity:char attgenerated:char attcollation`,
	"pg_auth_members":          `roleid member grantor`,
	"pg_cast":                  `oid castsource casttarget castfunc castcontext:char castmethod:char`,
	"pg_class":                 `oid relnamespace reltype reloftype relowner relam relfilenode reltablespace reltoastrelid relpersistence:char relkind:char relreplident:char relrewrite`,
	"pg_collation":             `oid collnamespace collowner collprovider:char`,
	"pg_constraint":            `oid connamespace contype:char conrelid contypid conindid conparentid confrelid confupdtype:char confdeltype:char confmatchtype:char conpfeqop:oid[] conppeqop:oid[] conffeqop:oid[] conexclop:oid[]`,
	"pg_conversion":            `oid connamespace conowner`,
	"pg_default_acl":           `oid defaclrole defaclnamespace defaclobjtype:char`,
	"pg_depend":                `classid objid refclassid refobjid deptype:char`,
	"pg_description":           `objoid classoid`,
	"pg_enum":                  `oid enumtypid`,
	"pg_event_trigger":         `oid evtowner evtfoid evtenabled:char`,
	"pg_extension":             `oid extowner extnamespace extconfig:oid[]`,
	"pg_foreign_data_wrapper":  `oid fdwowner fdwhandler fdwvalidator`,
	"pg_foreign_server":        `oid srvowner srvfdw`,
	"pg_foreign_table":         `ftrelid ftserver`,
	"pg_index":                 `indexrelid indrelid`,
	"pg_inherits":              `inhrelid inhparent`,
	"pg_init_privs":            `objoid classoid privtype:char`,
	"pg_language":              `oid lanowner lanplcallfoid laninline lanvalidator`,
	"pg_locks":                 `database relation classid objid`,
	"pg_namespace":             `oid nspowner`,
	"pg_opclass":               `oid opcmethod opcnamespace opcowner opcfamily opcintype opckeytype`,
	"pg_operator":              `oid oprnamespace oprowner oprkind:char oprleft oprright oprresult oprcom oprnegate`,
	"pg_partitioned_table":     `partrelid partstrat:char partdefid`,
	"pg_policy":                `oid polrelid polcmd:char polroles:oid[]`,
	"pg_proc":                  `oid pronamespace proowner prolang provariadic prokind:char provolatile:char proparallel:char prorettype proallargtypes:oid[] proargmodes:char[] protrftypes:oid[]`,
	"pg_publication":           `oid pubowner`,
	"pg_publication_namespace": `oid pnpubid pnnspid`,
	"pg_publication_rel":       `oid prpubid prrelid`,
	"pg_range":                 `rngtypid rngsubtype rngmultitypid rngcollation rngsubopc`,
	"pg_rewrite":               `oid ev_class ev_type:char ev_enabled:char`,
	"pg_sequence":              `seqrelid seqtypid`,
	"pg_shdepend":              `dbid classid objid refclassid refobjid deptype:char`,
	"pg_shdescription":         `objoid classoid`,
	"pg_stat_user_tables":      `relid`,
	"pg_stat_activity":         `datid usesysid`,
	"pg_statistic_ext":         `oid stxrelid stxnamespace stxowner stxkind:char[]`,
	"pg_subscription":          `oid subdbid subowner subtwophasestate:char`,
	"pg_tablespace":            `oid spcowner`,
	"pg_transform":             `oid trftype trflang`,
	"pg_trigger":               `oid tgrelid tgparentid tgfoid tgenabled:char tgconstrrelid tgconstrindid tgconstraint`,
	"pg_ts_config":             `oid cfgnamespace cfgowner cfgparser`,
	"pg_type":                  `oid typnamespace typowner typtype:char typcategory:char typdelim:char typrelid typelem typarray typalign:char typstorage:char typbasetype typcollation`,
	"pg_user_mapping":          `oid umuser umserver`,
}

// wireTypeNames maps the kinds of catalogWireTypes to the layer's types.
var wireTypeNames = map[string]string{
	"oid":    oidTypeAlias,
	"char":   charTypeAlias,
	"oid[]":  oidTypeAlias + "[]",
	"char[]": charTypeAlias + "[]",
}

// typeCatalogViews gives the views of catalogWireTypes their PostgreSQL
// column types: each view X, as its .sql file defines it, is renamed
// lakegate_untyped_X (hidden from pg_class like every lakegate_ relation)
// and X becomes the same columns, in the same order, with those cast.
func typeCatalogViews(c *duckConn) error {
	names := make([]string, 0, len(catalogWireTypes))
	for name := range catalogWireTypes {
		names = append(names, name)
	}
	sort.Strings(names)
	var errs []error
	for _, name := range names {
		var casts []string
		for _, spec := range strings.Fields(catalogWireTypes[name]) {
			column, kind, ok := strings.Cut(spec, ":")
			if !ok {
				kind = "oid"
			}
			typ, known := wireTypeNames[kind]
			if !known {
				return fmt.Errorf("catalogWireTypes: %s.%s: unknown kind %q", name, column, kind)
			}
			casts = append(casts, fmt.Sprintf("CAST(%s AS %s) AS %s", quoteIdent(column), typ, quoteIdent(column)))
		}
		view := layerSchema + "." + quoteIdent(name)
		untyped := "lakegate_untyped_" + name
		stmt := fmt.Sprintf("BEGIN; ALTER VIEW %s RENAME TO %s; CREATE VIEW %s AS SELECT * REPLACE (%s) FROM %s.%s; COMMIT",
			view, quoteIdent(untyped), view, strings.Join(casts, ", "), layerSchema, quoteIdent(untyped))
		if err := c.exec(stmt); err != nil {
			c.exec("ROLLBACK")
			errs = append(errs, fmt.Errorf("typing pg_catalog.%s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}
