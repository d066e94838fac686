package engine

import "testing"

func TestPostgresWording(t *testing.T) {
	cases := []struct {
		duckdb, sql string
		position    int
		want        string
	}{
		{"Table with name no_such_table does not exist!", "select * from shop.no_such_table", 15, `relation "shop.no_such_table" does not exist`},
		{"Table with name Nosuch does not exist!", "select * from Nosuch", 15, `relation "nosuch" does not exist`},
		{"Table with name Nosuch does not exist!", `select * from "Nosuch" x`, 15, `relation "Nosuch" does not exist`},
		{"Table with name t does not exist!", "select * from t", 0, `relation "t" does not exist`},
		// The position points elsewhere: the name DuckDB gave.
		{"Table with name t does not exist!", "select * from u", 15, `relation "t" does not exist`},
		{`Table with name "nosuch.x" does not exist because schema "nosuch" does not exist.`, "select * from s, nosuch.x", 18, `relation "nosuch.x" does not exist`},
		{`Referenced column "nosuch" not found in FROM clause!`, "select nosuch from t", 8, `column "nosuch" does not exist`},
		{"Could not convert string 'a' to INT32", "select 'a'::int", 11, `invalid input syntax for type integer: "a"`},
		{"Could not convert string 'x y' to INT64", "", 0, `invalid input syntax for type bigint: "x y"`},
		{"Could not convert string '1.5x' to DOUBLE", "", 0, `invalid input syntax for type double precision: "1.5x"`},
		{"Could not convert string 'q' to BOOL", "", 0, `invalid input syntax for type boolean: "q"`},
		{"Could not convert string 'q' to DECIMAL(10,2)", "", 0, `invalid input syntax for type numeric: "q"`},
		{"Type INT64 with value 99999999999 can't be cast", "", 0, "Type INT64 with value 99999999999 can't be cast"},
	}
	for _, c := range cases {
		if got := postgresWording(c.duckdb, c.sql, c.position); got != c.want {
			t.Errorf("postgresWording(%q, %q, %d) = %q, want %q", c.duckdb, c.sql, c.position, got, c.want)
		}
	}
}

func TestSplitDuckDBMessagePrefix(t *testing.T) {
	for msg, want := range map[string]string{
		"Catalog Error: Table with name x does not exist!": "Table with name x does not exist!",
		"Invalid Input Error: bad":                         "bad",
		"Parser Error: syntax error at or near \"selec\"":  `syntax error at or near "selec"`,
		"no prefix: Error: here":                           "no prefix: Error: here",
	} {
		if got, _, _ := splitDuckDBMessage(msg, ""); got != want {
			t.Errorf("splitDuckDBMessage(%q) = %q, want %q", msg, got, want)
		}
	}
}
