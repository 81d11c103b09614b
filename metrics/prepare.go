package metrics

import "fmt"

// view holds samples sorted by decreasing score with what every metric pass needs, so that
// sorting happens once per input and bootstrap resamples only change weights.
type view struct {
	s    []float64
	y    []uint8
	g    []int8  // subgroup id, -1 unknown
	unit []int32 // resampling unit (video or row) of each sorted sample
	// blocks holds the start of each run of equal scores, then len(s).
	blocks []int32
}

func newView(scores []float64, labels []uint8, groups []int8, units []int32) view {
	order := sortDescending(scores)
	v := view{
		s:    make([]float64, len(order)),
		y:    make([]uint8, len(order)),
		g:    make([]int8, len(order)),
		unit: make([]int32, len(order)),
		// Scores are usually nearly all distinct: size for that to avoid regrowing.
		blocks: make([]int32, 0, len(order)+1),
	}
	for i, o := range order {
		v.s[i], v.y[i], v.g[i], v.unit[i] = scores[o], labels[o], groups[o], units[o]
		if i == 0 || v.s[i] != v.s[i-1] {
			v.blocks = append(v.blocks, int32(i))
		}
	}
	v.blocks = append(v.blocks, int32(len(order)))
	return v
}

// prepared is an Input sorted and aggregated once: the sample view, the video view (when
// video ids exist) and the resampling units with their labels.
type prepared struct {
	frames     view
	videos     *view
	videoIDs   []string
	mixedGroup int     // videos whose frames disagree on the subgroup (their group is unknown)
	unitLabel  []uint8 // label of each resampling unit
	unknown    int     // samples with an unknown subgroup
}

func prepare(in Input) (*prepared, error) {
	n := in.Len()
	labels := make([]uint8, n)
	groups := make([]int8, n)
	units := make([]int32, n)
	p := &prepared{}
	for i := range n {
		labels[i] = uint8(in.Labels[i])
		groups[i] = int8(in.group(i))
		if groups[i] < 0 {
			p.unknown++
		}
		units[i] = int32(i)
	}
	if in.Videos == nil {
		p.unitLabel = labels
		p.frames = newView(in.Scores, labels, groups, units)
		return p, nil
	}
	index := make(map[string]int32, n/4+1)
	var sums []float64
	var counts []int
	var vLabels []uint8
	var vGroups []int8
	var firstRow []int
	for i, id := range in.Videos {
		if id == "" {
			id = fmt.Sprintf("\x00row%d", i) // no video id: the sample is its own video
		}
		k, ok := index[id]
		if !ok {
			k = int32(len(p.videoIDs))
			index[id] = k
			p.videoIDs = append(p.videoIDs, id)
			sums = append(sums, 0)
			counts = append(counts, 0)
			vLabels = append(vLabels, labels[i])
			vGroups = append(vGroups, groups[i])
			firstRow = append(firstRow, i)
		}
		if labels[i] != vLabels[k] {
			return nil, &InputError{Row: i + 1, Column: "label", Err: fmt.Errorf(
				"video %q has label %d here but %d at row %d", id, labels[i], vLabels[k], firstRow[k]+1)}
		}
		if groups[i] != vGroups[k] && vGroups[k] != -2 {
			vGroups[k] = -2 // mixed, resolved below
		}
		sums[k] += in.Scores[i]
		counts[k]++
		units[i] = k
	}
	nv := len(p.videoIDs)
	means := make([]float64, nv)
	vUnits := make([]int32, nv)
	for k := range nv {
		means[k] = sums[k] / float64(counts[k])
		vUnits[k] = int32(k)
		if vGroups[k] == -2 {
			vGroups[k] = Unknown
			p.mixedGroup++
		}
	}
	p.unitLabel = vLabels
	p.frames = newView(in.Scores, labels, groups, units)
	v := newView(means, vLabels, vGroups, vUnits)
	p.videos = &v
	return p, nil
}
