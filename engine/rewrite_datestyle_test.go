package engine

import "testing"

func TestISODate(t *testing.T) {
	for _, c := range []struct {
		text string
		dmy  bool
		want string
		ok   bool
	}{
		{"03/04/2024", false, "2024-03-04", true},
		{"03/04/2024", true, "2024-04-03", true},
		{"3.4.2024", true, "2024-04-03", true},
		{"3-4-2024 10:30", false, "2024-03-04 10:30", true},
		{" 03/04/2024T10:30:00+02 ", false, "2024-03-04 10:30:00+02", true},
		{"13/01/2024", false, "", false},
		{"03/04-2024", false, "", false},
		{"2024-03-04", false, "", false},
		{"03/04/24", false, "", false},
		{"03/04/2024x", false, "", false},
	} {
		got, ok := isoDate(c.text, c.dmy)
		if got != c.want || ok != c.ok {
			t.Errorf("isoDate(%q, dmy %v) = %q, %v; want %q, %v", c.text, c.dmy, got, ok, c.want, c.ok)
		}
	}
}
