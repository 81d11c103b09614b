package config

import (
	"reflect"
	"strings"
	"unicode/utf8"
)

// DiffRow is one key whose value differs between the configurations compared.
type DiffRow struct {
	Key    string   // dotted key, e.g. "optimizer.lr"
	Values []string // the value in each configuration, formatted as in Marshal (strings unquoted)
	// Marks holds, per configuration, how its value relates to the first one's:
	// "↑" or "↓" for a number above or below it, "restored" for a value equal to it
	// after an earlier column had changed it, "" otherwise (always "" for the first).
	Marks []string
}

// Diff compares configurations key by key and returns one row per key whose value
// is not the same in all of them: logging.experiment_name first, then schema order.
// names are the column labels RenderDiff prints; Diff itself does not need them and
// accepts nil.
func Diff(cfgs []Config, names []string) []DiffRow {
	if len(cfgs) < 2 {
		return nil
	}
	flat := make([][]Field, len(cfgs))
	for i, c := range cfgs {
		flat[i] = Flatten(c)
	}
	var rows []DiffRow
	for k := range flat[0] {
		vals := make([]any, len(cfgs))
		for i := range cfgs {
			vals[i] = flat[i][k].Value
		}
		differs := false
		for _, v := range vals[1:] {
			if !reflect.DeepEqual(v, vals[0]) {
				differs = true
			}
		}
		if !differs {
			continue
		}
		row := DiffRow{Key: flat[0][k].Key, Values: make([]string, len(cfgs)), Marks: make([]string, len(cfgs))}
		changed := false
		for i, v := range vals {
			row.Values[i] = show(v)
			if i == 0 {
				continue
			}
			same := reflect.DeepEqual(v, vals[0])
			switch {
			case same && changed:
				row.Marks[i] = "restored"
			case !same:
				changed = true
				if a, ok := number(vals[0]); ok {
					if b, ok := number(v); ok {
						if b > a {
							row.Marks[i] = "↑"
						} else if b < a {
							row.Marks[i] = "↓"
						}
					}
				}
			}
		}
		if row.Key == "logging.experiment_name" {
			rows = append([]DiffRow{row}, rows...)
		} else {
			rows = append(rows, row)
		}
	}
	return rows
}

// number returns a numeric value as float64.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

// RenderDiff prints rows as a table with one column per configuration, headed by
// names: format "markdown" gives a GitHub table (the report's table 2.1 layout),
// anything else aligned plain text. A mark follows its value in parentheses:
// `0.0002 (↓)`, `0.0003 (restored)`.
func RenderDiff(rows []DiffRow, names []string, format string) string {
	header := append([]string{"parameter"}, names...)
	table := [][]string{header}
	for _, r := range rows {
		line := []string{r.Key}
		for i, v := range r.Values {
			if i < len(r.Marks) && r.Marks[i] != "" {
				v += " (" + r.Marks[i] + ")"
			}
			line = append(line, v)
		}
		table = append(table, line)
	}
	var b strings.Builder
	if format == "markdown" {
		for i, line := range table {
			cells := make([]string, len(line))
			for j, c := range line {
				cells[j] = strings.ReplaceAll(c, "|", `\|`)
			}
			b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
			if i == 0 {
				b.WriteString("|" + strings.Repeat("---|", len(line)) + "\n")
			}
		}
		return b.String()
	}
	widths := map[int]int{}
	for _, line := range table {
		for j, c := range line {
			widths[j] = max(widths[j], utf8.RuneCountInString(c))
		}
	}
	for _, line := range table {
		var cells []string
		for j, c := range line {
			if j == len(line)-1 {
				cells = append(cells, c)
				break
			}
			cells = append(cells, c+strings.Repeat(" ", widths[j]-utf8.RuneCountInString(c)))
		}
		b.WriteString(strings.Join(cells, "  ") + "\n")
	}
	return b.String()
}
