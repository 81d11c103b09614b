package features

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/data"
)

// Feature modes (features.mode).
const (
	ModeDisk = "disk" // read the stores `fairclip extract` wrote
	ModeNone = "none" // run the backbone on every request, as the reference did
)

// Source opens training splits from stores (features.mode: disk) or from the live
// backbone (features.mode: none); both give the same numbers for the same views.
type Source struct {
	setup *Setup
	mode  string
	log   io.Writer

	mu     sync.Mutex
	enc    *Encoder
	splits map[string]*Split
}

// NewSource resolves cfg for training; log receives notices (bad images skipped).
func NewSource(cfg config.Config, opts Options, log io.Writer) (*Source, error) {
	mode := cfg.Features.Mode
	switch mode {
	case "":
		mode = ModeDisk
	case ModeDisk, ModeNone:
	default:
		return nil, fmt.Errorf("features.mode %q: want disk or none", mode)
	}
	setup, err := NewSetup(cfg, opts)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = io.Discard
	}
	return &Source{setup: setup, mode: mode, log: log, splits: map[string]*Split{}}, nil
}

// Mode is ModeDisk or ModeNone.
func (s *Source) Mode() string { return s.mode }

// Setup is the resolved configuration.
func (s *Source) Setup() *Setup { return s.setup }

// Describe names the source in logs.
func (s *Source) Describe() string {
	if s.mode == ModeNone {
		return fmt.Sprintf("live CLIP features (features.mode: none, backbone %s)", s.setup.BackboneID)
	}
	return fmt.Sprintf("feature stores under %s (backbone %s)", s.setup.Root, s.setup.BackboneID)
}

// Split opens (split, dataset) once and returns the same Split on later calls.
func (s *Source) Split(split, dataset string) (*Split, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := split + "/" + dataset
	if sp, ok := s.splits[name]; ok {
		return sp, nil
	}
	t, err := s.setup.Target(split, dataset)
	if err != nil {
		return nil, err
	}
	var sp *Split
	if s.mode == ModeDisk {
		sp, err = OpenStore(t)
	} else {
		if s.enc == nil {
			if s.enc, err = NewEncoder(s.setup); err != nil {
				return nil, err
			}
		}
		sp, err = OpenLive(context.Background(), t, s.enc, data.BadImagePolicy(s.setup.Config.Dataset.OnBadImage), s.log)
	}
	if err != nil {
		return nil, err
	}
	s.splits[name] = sp
	return sp, nil
}

// Close releases every split and the encoder.
func (s *Source) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sp := range s.splits {
		sp.Close()
	}
	s.splits = map[string]*Split{}
	if s.enc != nil {
		s.enc.Close()
		s.enc = nil
	}
	return nil
}
