package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// lang picks the English or Korean text of a phrase; both take the same arguments
// (Korean formats may reorder them with %[n]).
type lang struct{ ko bool }

func (l lang) s(en, ko string) string {
	if l.ko {
		return ko
	}
	return en
}

func (l lang) f(en, ko string, args ...any) string { return fmt.Sprintf(l.s(en, ko), args...) }

func (l lang) code() string { return l.s("en", "ko") }

const na = "—"

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// f4 prints a fraction or loss with 4 decimals, "—" when undefined.
func f4(x float64) string {
	if !finite(x) {
		return na
	}
	return strconv.FormatFloat(x, 'f', 4, 64)
}

// pct prints a fraction as percent with 2 decimals (the seed report's fairness style).
func pct(x float64) string {
	if !finite(x) {
		return na
	}
	return strconv.FormatFloat(100*x, 'f', 2, 64) + "%"
}

// pct0 prints a fraction as a whole percent ("4%").
func pct0(x float64) string {
	if !finite(x) {
		return na
	}
	return strconv.FormatFloat(100*x, 'f', 0, 64) + "%"
}

// sci prints a config number compactly (1e-4, 0.05).
func sci(x float64) string {
	if !finite(x) {
		return na
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

// ratio prints x/y as "7.8×".
func times(x float64) string {
	if !finite(x) {
		return na
	}
	return strconv.FormatFloat(x, 'f', 1, 64) + "×"
}

// duration prints seconds as "7.71h", "12.5 min" or "45.0 s".
func duration(s float64) string {
	switch {
	case !finite(s):
		return na
	case s >= 3600:
		return strconv.FormatFloat(s/3600, 'f', 2, 64) + "h"
	case s >= 60:
		return strconv.FormatFloat(s/60, 'f', 1, 64) + " min"
	}
	return strconv.FormatFloat(s, 'f', 1, 64) + " s"
}

// count prints a parameter count as "9,377,475 (9.4M)".
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%s (%.1fM)", b.String(), float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%s (%.1fK)", b.String(), float64(n)/1e3)
	}
	return b.String()
}

// epochRange prints a sorted epoch list as "1-5", "1-3, 7" or "—".
func epochRange(es []int) string {
	if len(es) == 0 {
		return na
	}
	var parts []string
	for i := 0; i < len(es); {
		j := i
		for j+1 < len(es) && es[j+1] == es[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(es[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", es[i], es[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// boldBest bolds, in place, the cells whose value is the best of vals (higher or
// lower is better); undefined values never win. Ties are all bold.
func boldBest(cells []string, vals []float64, higher bool) {
	if len(vals) < 2 {
		return
	}
	best := math.NaN()
	for _, v := range vals {
		if finite(v) && (!finite(best) || (higher && v > best) || (!higher && v < best)) {
			best = v
		}
	}
	if !finite(best) {
		return
	}
	n := 0
	for _, v := range vals {
		if v == best {
			n++
		}
	}
	if n == len(vals) {
		return // all equal: nothing stands out
	}
	for i, v := range vals {
		if v == best {
			cells[i] = "**" + cells[i] + "**"
		}
	}
}

func meanOf(xs []float64) float64 {
	s, n := 0.0, 0
	for _, x := range xs {
		if finite(x) {
			s += x
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}

func minMax(xs []float64) (lo, hi float64) {
	lo, hi = math.NaN(), math.NaN()
	for _, x := range xs {
		if !finite(x) {
			continue
		}
		if !finite(lo) || x < lo {
			lo = x
		}
		if !finite(hi) || x > hi {
			hi = x
		}
	}
	return lo, hi
}

// change describes a ratio: "rose 1.3×" or "fell 7.3×".
func (l lang) change(r float64) string {
	switch {
	case !finite(r) || r <= 0:
		return na
	case r > 1/1.05 && r < 1.05:
		return l.s("stayed about the same", "거의 같은 수준")
	case r >= 1:
		return l.f("rose %s", "%s 증가", times(r))
	}
	return l.f("fell %s", "%s 감소", times(1/r))
}

// epochs prints "1 epoch" or "3 epochs".
func (l lang) epochs(n int) string {
	if n == 1 && !l.ko {
		return "1 epoch"
	}
	return fmt.Sprintf("%d epochs", n)
}

// bias prints a gate bias with one decimal at least (1.0, 0.0, 0.25).
func bias(x float64) string {
	if !finite(x) {
		return na
	}
	if x == math.Trunc(x) {
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}
