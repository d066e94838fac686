package auth

import (
	"maps"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// sections decodes the top-level sections of a config text.
func sections(t *testing.T, text string) map[string]yaml.Node {
	t.Helper()
	var out map[string]yaml.Node
	if err := yaml.Unmarshal([]byte(text), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

const grantsYAML = `
roles:
  analysts:
    members: [alice, bob, eu_team]
    grants: ["demo.*", "sales.orders"]
    row_filters:
      demo.sales: "region = 'EU'"
      demo.orders: "owner = current_user"
    masks:
      demo.customers:
        email: "left(email, 2) || '***'"
        phone: "'***'"
  eu_team:
    members: [carol]
    grants: [demo.sales]
    row_filters:
      demo.sales: "region = 'US'"
  admins:
    members: [dave]
    grants: ["*"]
  bob:
    grants: [demo.customers]
    masks:
      demo.customers:
        phone: "'---'"
access:
  hide_ungranted: true
`

func TestGrants(t *testing.T) {
	g, err := ParseGrants("lake.yaml", sections(t, grantsYAML))
	if err != nil {
		t.Fatal(err)
	}
	if !g.HideUngranted() {
		t.Error("hide_ungranted not read")
	}
	if got := strings.Join(g.Users(), ","); got != "admins,alice,analysts,bob,carol,dave,eu_team" {
		t.Errorf("users %s", got)
	}
	cases := []struct {
		user, schema, table string
		granted             bool
		filter              string
		masks               map[string]string
	}{
		{"alice", "demo", "sales", true, "region = 'EU'", nil},
		{"alice", "DEMO", "Sales", true, "region = 'EU'", nil}, // names compare without case
		{"alice", "demo", "orders", true, "owner = current_user", nil},
		{"alice", "sales", "orders", true, "", nil},
		{"alice", "sales", "refunds", false, "", nil},
		{"alice", "hr", "salaries", false, "", nil},
		{"alice", "demo", "customers", true, "", map[string]string{"email": "left(email, 2) || '***'", "phone": "'***'"}},
		// carol is in eu_team, itself a member of analysts: both filters
		// grant demo.sales, and permissive filters OR together.
		{"carol", "demo", "sales", true, "(region = 'EU') OR (region = 'US')", nil},
		{"carol", "demo", "customers", true, "", map[string]string{"email": "left(email, 2) || '***'", "phone": "'***'"}},
		// bob holds analysts and the role named bob: phone is masked by
		// both (the first role in name order wins), email only by one, so
		// it is in clear.
		{"bob", "demo", "customers", true, "", map[string]string{"phone": "'***'"}},
		{"dave", "hr", "salaries", true, "", nil},
		{"mallory", "demo", "sales", false, "", nil},
	}
	for _, c := range cases {
		granted, filter, masks := g.Table(c.user, c.schema, c.table)
		if granted != c.granted || filter != c.filter || !maps.Equal(masks, c.masks) {
			t.Errorf("%s on %s.%s: granted %v filter %q masks %v; want %v %q %v",
				c.user, c.schema, c.table, granted, filter, masks, c.granted, c.filter, c.masks)
		}
	}
}

func TestGrantsAbsent(t *testing.T) {
	g, err := ParseGrants("lake.yaml", sections(t, "schemas: {}\n"))
	if err != nil || g != nil {
		t.Fatalf("no roles section: %v %v, want nil, nil", g, err)
	}
}

func TestGrantsErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"roles:\n  a:\n    grant: [x]\n", "lake.yaml:3: roles.a.grant: unknown field"},
		{"roles:\n  a:\n    grants: [demo.x]\n    row_filters:\n      demo.y: \"a = 1\"\n", "lake.yaml:5: roles.a.row_filters.demo.y: the role does not grant this table"},
		{"roles:\n  a:\n    grants: [demo.*]\n    masks:\n      demo.y: {c: ''}\n", "roles.a.masks.demo.y.c: empty mask"},
		{"roles:\n  a:\n    grants: ['[']\n", "bad grant pattern"},
		{"roles:\n  a:\n    members: 3\n", "lake.yaml:3: roles.a.members:"},
		{"roles: [a]\n", "roles: must be a mapping"},
		{"access:\n  hide_ungranted: true\n", "hide_ungranted needs a roles section"},
		{"roles: {}\naccess:\n  hide: true\n", "lake.yaml:3: access.hide: unknown field"},
	}
	for _, c := range cases {
		_, err := ParseGrants("lake.yaml", sections(t, c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.yaml, err, c.want)
		}
	}
}
