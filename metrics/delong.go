package metrics

import "math"

// DeLong is DeLong's test of the difference of two correlated AUCs on the same samples
// (DeLong, DeLong & Clarke-Pearson 1988, in Sun & Xu's midrank form). It treats samples as
// independent; when samples are frames of videos, prefer the paired bootstrap, which
// resamples videos.
type DeLong struct {
	AUCA float64 `json:"auc_a"`
	AUCB float64 `json:"auc_b"`
	// Diff is AUCA - AUCB; SE its standard error; Z = Diff/SE; P the two-sided p-value.
	Diff float64 `json:"diff"`
	SE   float64 `json:"se"`
	Z    float64 `json:"z"`
	P    float64 `json:"p"`
}

// midranks returns the 1-based ascending ranks of x, ties sharing their mean rank.
func midranks(x []float64) []float64 {
	order := sortDescending(x)
	n := len(x)
	ranks := make([]float64, n)
	for i := 0; i < n; {
		j := i
		for j < n && x[order[j]] == x[order[i]] {
			j++
		}
		// Descending positions i..j-1 are ascending positions n-j..n-1-i.
		r := float64((n-j)+(n-1-i))/2 + 1
		for k := i; k < j; k++ {
			ranks[order[k]] = r
		}
		i = j
	}
	return ranks
}

// delongComponents returns the AUC and the structural components of one score set: V10 per
// positive and V01 per negative.
func delongComponents(s []float64, labels []int) (auc float64, v10, v01 []float64) {
	var pos, neg []float64
	for i, l := range labels {
		if l == 1 {
			pos = append(pos, s[i])
		} else {
			neg = append(neg, s[i])
		}
	}
	m, n := float64(len(pos)), float64(len(neg))
	tz := midranks(s)
	tx, ty := midranks(pos), midranks(neg)
	var sumPos float64
	ip, in := 0, 0
	for i, l := range labels {
		if l == 1 {
			sumPos += tz[i]
			v10 = append(v10, (tz[i]-tx[ip])/n)
			ip++
		} else {
			v01 = append(v01, 1-(tz[i]-ty[in])/m)
			in++
		}
	}
	return (sumPos - m*(m+1)/2) / (m * n), v10, v01
}

// covariance is the sample covariance (ddof 1) of a and b.
func covariance(a, b []float64) float64 {
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var s float64
	for i := range a {
		s += (a[i] - ma) * (b[i] - mb)
	}
	return s / float64(len(a)-1)
}

// delongTest compares two score sets on the same labels; both classes must be present.
func delongTest(a, b []float64, labels []int) DeLong {
	aucA, xa, ya := delongComponents(a, labels)
	aucB, xb, yb := delongComponents(b, labels)
	m, n := float64(len(xa)), float64(len(ya))
	variance := (covariance(xa, xa)+covariance(xb, xb)-2*covariance(xa, xb))/m +
		(covariance(ya, ya)+covariance(yb, yb)-2*covariance(ya, yb))/n
	d := DeLong{AUCA: aucA, AUCB: aucB, Diff: aucA - aucB, SE: math.Sqrt(variance)}
	switch {
	case math.IsNaN(variance):
		d.Z, d.P = math.NaN(), math.NaN()
	case variance <= 0 && d.Diff == 0:
		d.Z, d.P = 0, 1
	case variance <= 0:
		d.Z, d.P = math.Copysign(math.Inf(1), d.Diff), 0
	default:
		d.Z = d.Diff / d.SE
		d.P = math.Erfc(math.Abs(d.Z) / math.Sqrt2)
	}
	return d
}
