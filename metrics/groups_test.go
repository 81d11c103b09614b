package metrics

import "testing"

func TestParseGroup(t *testing.T) {
	cases := []struct {
		in   string
		want int
		ok   bool
	}{
		{"male-asian", 0, true}, {"male-white", 1, true}, {"male-black", 2, true}, {"male-others", 3, true},
		{"male-other", 3, true}, {"female-asian", 4, true}, {"nonmale-white", 5, true},
		{"Female-Black", 6, true}, {" female-others ", 7, true}, {"0", 0, true}, {"7", 7, true},
		{"-1", -1, true}, {"", -1, true}, {"unknown", -1, true},
		{"8", 0, false}, {"-2", 0, false}, {"male", 0, false}, {"male-martian", 0, false},
		{"asian-male", 0, false}, {"1.5", 0, false},
	}
	for _, c := range cases {
		got, err := ParseGroup(c.in)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("ParseGroup(%q) = %d, %v; want %d ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestSubgroupNameRoundTrip(t *testing.T) {
	for id := -1; id < NumSubgroups; id++ {
		got, err := ParseGroup(SubgroupName(id))
		if err != nil || got != id {
			t.Errorf("ParseGroup(SubgroupName(%d)=%q) = %d, %v", id, SubgroupName(id), got, err)
		}
	}
	if SubgroupName(6) != "female-black" || SubgroupName(3) != "male-others" || SubgroupName(9) != "unknown" {
		t.Errorf("names: %q %q %q", SubgroupName(6), SubgroupName(3), SubgroupName(9))
	}
}

func FuzzParseGroup(f *testing.F) {
	for _, s := range []string{"male-asian", "nonmale-other", "3", "-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseGroup(s)
		if err == nil && (id < -1 || id >= NumSubgroups) {
			t.Fatalf("ParseGroup(%q) = %d", s, id)
		}
	})
}
