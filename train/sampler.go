package train

import (
	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/data"
)

// newSampler is the training split's batch sampler when dataset.use_subgroup_sampler
// is set: the reference's subgroup-balanced sampler, or with
// dataset.subgroup_sampler_by_label the (subgroup, label)-balanced one.
func newSampler(cfg config.Config, s Split, batchSize int) (*data.SubgroupSampler, error) {
	if cfg.Dataset.SubgroupSamplerByLabel {
		return data.NewSubgroupLabelSampler(subgroupsOf(s), labelsOf(s), batchSize, cfg.Seed)
	}
	return data.NewSubgroupSampler(subgroupsOf(s), batchSize, cfg.Seed)
}
