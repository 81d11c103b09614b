package data

import "fmt"

// NumSubgroups is the number of intersectional subgroups (2 genders x 4 races).
const NumSubgroups = 8

// Race ids in the PG-FDD order. RaceUnknown marks missing or inconsistent flags.
const (
	RaceAsian   = 0
	RaceWhite   = 1
	RaceBlack   = 2
	RaceOther   = 3
	RaceUnknown = -1
)

// Gender ids: the female flag, so that subgroup = race + 4*gender.
const (
	GenderMale    = 0
	GenderFemale  = 1
	GenderUnknown = -1
)

// Sample is one image of a dataset index.
type Sample struct {
	// Path is the image file (fairness_root joined with the CSV's img_path).
	Path string
	// Dataset is the dataset name ("ff++", "celebdf", ...); Split the index file
	// it came from without extension ("realtrain", "test", ...).
	Dataset, Split string
	// Video groups the frames of one video (for video-level metrics).
	Video string
	// Manipulation is the forgery method or label name when the index says it
	// (DeepfakeBench label names, PG-FDD spe_label); empty otherwise.
	Manipulation string
	// Label is 0 real, 1 fake.
	Label int
	// Subgroup = Race + 4*Gender in 0..7, or -1 when either is unknown.
	Subgroup int
	// Gender is GenderMale, GenderFemale or GenderUnknown.
	Gender int
	// Race is RaceAsian..RaceOther or RaceUnknown.
	Race int
	// Row is the 1-based data row in CSV (the header is row 0); for JSON
	// indexes it is the 1-based frame position in the file's traversal order.
	Row int
	// CSV is the index file the sample was read from.
	CSV string
}

// Where names the index file and row of s, for error messages.
func (s Sample) Where() string { return fmt.Sprintf("%s row %d", s.CSV, s.Row) }

// SubgroupNames are the display names of subgroups 0..7.
var SubgroupNames = [NumSubgroups]string{
	"male-asian", "male-white", "male-black", "male-other",
	"female-asian", "female-white", "female-black", "female-other",
}

// SubgroupName returns the display name of subgroup g, "unknown" outside 0..7.
func SubgroupName(g int) string {
	if g < 0 || g >= NumSubgroups {
		return "unknown"
	}
	return SubgroupNames[g]
}

// RaceFromFlags maps the PG-FDD +1/-1 race flags to a race id the way the
// reference does: the first flag equal to 1 wins (Asian, White, Black), all
// three -1 is Other, anything else is unknown.
func RaceFromFlags(isAsian, isWhite, isBlack int) int {
	switch {
	case isAsian == 1:
		return RaceAsian
	case isWhite == 1:
		return RaceWhite
	case isBlack == 1:
		return RaceBlack
	case isAsian == -1 && isWhite == -1 && isBlack == -1:
		return RaceOther
	}
	return RaceUnknown
}

// GenderFromFlag maps the PG-FDD ismale flag (+1 male, -1 female) to a gender id;
// any other value is unknown.
func GenderFromFlag(isMale int) int {
	switch isMale {
	case 1:
		return GenderMale
	case -1:
		return GenderFemale
	}
	return GenderUnknown
}

// SubgroupOf returns race + 4*gender, or -1 when either is unknown.
func SubgroupOf(gender, race int) int {
	if gender < 0 || race < 0 {
		return -1
	}
	return race + 4*gender
}
