package report

import "testing"

func TestEpochRanges(t *testing.T) {
	cases := []struct {
		in   []int
		want string
	}{
		{[]int{3}, "3"},
		{[]int{1, 2, 3, 4, 5}, "1-5"},
		{[]int{1, 2, 3, 5, 7, 8}, "1-3, 5, 7-8"},
		{[]int{2, 4}, "2, 4"},
	}
	for _, c := range cases {
		if got := epochRanges(c.in); got != c.want {
			t.Errorf("epochRanges(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestChangeWording(t *testing.T) {
	en := lang{}
	cases := map[float64]string{10: "rose 10.0×", 0.5: "fell 2.0×", 1.02: "stayed about the same", 0.97: "stayed about the same"}
	for r, want := range cases {
		if got := en.change(r); got != want {
			t.Errorf("change(%v) = %q, want %q", r, got, want)
		}
	}
}
