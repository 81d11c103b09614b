package fairloss

// Breakdown explains a fairness loss for logging: which terms were computed, their
// values, and which subgroups or classes were left out and why.
type Breakdown struct {
	// Classes has one entry per class (real = 0, fake = 1) for the Stage 2 loss.
	Classes []ClassTerm `json:"classes,omitempty"`
	// Pairs lists every Sinkhorn term in computation order.
	Pairs []PairTerm `json:"pairs"`
	// NumPairs is len(Pairs).
	NumPairs int `json:"num_pairs"`
	// Skipped lists the subgroups present in the batch but left out.
	Skipped []SkippedSubgroup `json:"skipped"`
	// Reason says why the loss is undefined (empty when it is defined).
	Reason string `json:"reason,omitempty"`
}

// ClassTerm is the Stage 2 loss restricted to one class.
type ClassTerm struct {
	Class     int     `json:"class"`
	Samples   int     `json:"samples"`   // rows of this class in the batch
	Subgroups []int   `json:"subgroups"` // subgroups with enough samples
	NumPairs  int     `json:"num_pairs"`
	Value     float64 `json:"value"` // mean over the class's pairs (0 if undefined)
	Defined   bool    `json:"defined"`
	Reason    string  `json:"reason,omitempty"`
}

// PairTerm is one Sinkhorn divergence of the loss.
type PairTerm struct {
	Class      int     `json:"class"` // -1 when the loss does not split by class
	A          int     `json:"a"`     // first subgroup
	B          int     `json:"b"`     // second subgroup; -1 for the detached batch sample
	M          int     `json:"m"`     // rows per cloud after truncation
	Value      float64 `json:"value"`
	Iterations int     `json:"iterations"`
	// Diameter is the bounding-box diagonal of both clouds, where the epsilon
	// schedule starts (geomloss's max_diameter).
	Diameter float64 `json:"diameter"`
}

// SkippedSubgroup is a subgroup with fewer than the minimum number of samples.
type SkippedSubgroup struct {
	Class    int    `json:"class"` // -1 when the loss does not split by class
	Subgroup int    `json:"subgroup"`
	Count    int    `json:"count"`
	Reason   string `json:"reason"`
}

// LossResult is a fairness loss value with its gradient.
type LossResult struct {
	Value float64
	// Grad is d Value / d features, n×d row-major (zero when the loss is undefined).
	Grad      []float64
	Breakdown Breakdown
	// Defined is false when no term could be formed; Value is then 0.
	Defined bool
}

// Stage2Result is the result of Stage2.Loss.
type Stage2Result = LossResult
