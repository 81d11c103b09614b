package metrics

import (
	"fmt"
	"strconv"
	"strings"
)

// NumSubgroups is the number of intersectional subgroups: 2 genders x 4 races.
const NumSubgroups = 8

// Unknown is the subgroup id of a sample whose demographics are unknown.
const Unknown = -1

func genderNames() []string { return []string{"male", "female"} }

func raceNames() []string { return []string{"asian", "white", "black", "others"} }

// SubgroupName returns the canonical name of an intersectional subgroup id
// (race + 4*female): "male-asian", ..., "female-others", or "unknown".
func SubgroupName(id int) string {
	if id < 0 || id >= NumSubgroups {
		return "unknown"
	}
	return genderNames()[id/4] + "-" + raceNames()[id%4]
}

// ParseGroup parses a subgroup written as a name ("male-asian", "female-white", with "nonmale"
// accepted for "female" and "other" for "others"), as an integer id 0-7, or as -1, "unknown" or
// the empty string for an unknown subgroup.
func ParseGroup(s string) (int, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	switch t {
	case "", "-1", "unknown":
		return Unknown, nil
	}
	if id, err := strconv.Atoi(t); err == nil {
		if id < 0 || id >= NumSubgroups {
			return 0, fmt.Errorf("subgroup id %d out of range 0-7 (or -1 for unknown)", id)
		}
		return id, nil
	}
	gender, race, ok := strings.Cut(t, "-")
	if !ok {
		return 0, fmt.Errorf("unknown subgroup %q (want e.g. male-asian, female-white, 0-7 or -1)", s)
	}
	female := -1
	switch gender {
	case "male":
		female = 0
	case "female", "nonmale":
		female = 1
	}
	r := -1
	switch race {
	case "asian":
		r = 0
	case "white":
		r = 1
	case "black":
		r = 2
	case "others", "other":
		r = 3
	}
	if female < 0 || r < 0 {
		return 0, fmt.Errorf("unknown subgroup %q (want e.g. male-asian, female-white, 0-7 or -1)", s)
	}
	return r + 4*female, nil
}

// partition maps an intersectional subgroup id to a class of one fairness view.
type partition struct {
	name    string
	classes []string
	of      func(id int) int
}

// partitions returns the three fairness views: intersectional (8), gender (2) and race (4).
func partitions() [3]partition {
	return [3]partition{
		{name: "intersectional", classes: intersectionalNames(), of: func(id int) int { return id }},
		{name: "gender", classes: genderNames(), of: func(id int) int { return id / 4 }},
		{name: "race", classes: raceNames(), of: func(id int) int { return id % 4 }},
	}
}

func intersectionalNames() []string {
	names := make([]string, NumSubgroups)
	for i := range names {
		names[i] = SubgroupName(i)
	}
	return names
}
