package data

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText prints st as aligned tables: one line per dataset split, then the
// subgroup breakdown, then every bad file with its CSV and row.
func (st *Stats) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "dataset\tsplit\tsamples\treal\tfake\tmajority\tunknown subgroup\tskipped unknown\tmissing\tunreadable\t\n")
	for _, g := range st.Groups {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%.4f\t%d\t%d\t%d\t%d\t\n", g.Dataset, g.Role, g.Samples, g.Real, g.Fake,
			g.MajorityShare, g.Unknown.Total(), g.SkippedUnknown, g.Missing, g.Unreadable)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nsubgroups (real/fake):\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := []string{"dataset", "split"}
	for id := range NumSubgroups {
		header = append(header, SubgroupName(id))
	}
	header = append(header, "unknown")
	fmt.Fprintf(tw, "%s\t\n", strings.Join(header, "\t"))
	for _, g := range st.Groups {
		cells := []string{g.Dataset, g.Role}
		for _, s := range g.Subgroups {
			cells = append(cells, fmt.Sprintf("%d/%d", s.Real, s.Fake))
		}
		cells = append(cells, fmt.Sprintf("%d/%d", g.Unknown.Real, g.Unknown.Fake))
		fmt.Fprintf(tw, "%s\t\n", strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	what := "missing"
	if st.Check == "decode" {
		what = "missing or unreadable"
	}
	fmt.Fprintf(w, "\n%d samples; %d %s images\n", st.Samples, len(st.Bad), what)
	for _, b := range st.Bad {
		fmt.Fprintf(w, "  %s (%s row %d): %s\n", b.Path, b.CSV, b.Row, b.Error)
	}
	return nil
}
