package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/fairclip/fairclip/config"
)

// attentionTable is section 4.1's companion for runs whose cross-attention has several
// keys (model.fusion_keys: tokens): each head's mean attention entropy at the best
// epoch (else the last), next to the uniform value ln(K+1). It is left out when no run
// logged entropies (one key: the attention weight is 1 and the heads are inert).
func (rep *Report) attentionTable() {
	l, d := rep.l, &rep.doc
	t := table{header: []string{l.s("run", "실험"), l.s("keys", "키"), l.s("heads", "헤드"),
		l.s("attention entropy per head at best epoch (nats)", "best epoch 헤드별 attention 엔트로피 (nats)"),
		l.s("uniform ln(K+1)", "균등 ln(K+1)"), l.s("head mean over epochs", "epoch별 헤드 평균 범위")}}
	for i, r := range rep.Runs {
		ep, ok := rep.sums[i].bestEp, rep.sums[i].hasBest
		if !ok && len(r.Epochs) > 0 {
			ep, ok = r.Epochs[len(r.Epochs)-1], true
		}
		if !ok || len(ep.AttentionEntropy) == 0 {
			continue
		}
		heads := make([]string, len(ep.AttentionEntropy))
		for h, v := range ep.AttentionEntropy {
			heads[h] = f4(v)
		}
		lo, hi := math.NaN(), math.NaN()
		for _, e := range r.Epochs {
			if len(e.AttentionEntropy) == 0 {
				continue
			}
			var m float64
			for _, v := range e.AttentionEntropy {
				m += v
			}
			m /= float64(len(e.AttentionEntropy))
			if !(m >= lo) {
				lo = m
			}
			if !(m <= hi) {
				hi = m
			}
		}
		keys, uniform := na, na
		if r.HasConfig {
			if k, err := config.ParseTokens(r.Config.Features.Tokens); err == nil {
				keys, uniform = fmt.Sprintf("1+%d", k), f4(math.Log(float64(k+1)))
			}
		}
		t.rows = append(t.rows, []string{rep.names[i], keys, fmt.Sprint(len(heads)), strings.Join(heads, ", "), uniform, rangeText(lo, hi, f4)})
	}
	if len(t.rows) == 0 {
		return
	}
	d.table(t)
	d.p(l.s("Runs with model.fusion_keys: tokens attend from s2 to the class token's s1 and the pooled patch tokens' s1: an entropy near ln(K+1) is attention spread evenly over the keys, near 0 attention on one key; heads with different entropies attend differently.",
		"model.fusion_keys: tokens 실행은 s2에서 class token과 pooled patch token의 s1로 attention한다: ln(K+1)에 가까우면 키 전체에 고르게, 0에 가까우면 한 키에 집중; 헤드별 엔트로피가 다르면 헤드가 서로 다르게 attention한다."))
}
