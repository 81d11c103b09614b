// Package torchfile reads PyTorch checkpoints written by torch.save (the zip archive format
// of PyTorch >= 1.6) and TorchScript archives, without Python: a pickle reader rebuilds the
// object tree and tensors are read from the archive's storage records.
//
// Load flattens nested dicts and module objects into dotted names, as PyTorch's
// state_dict() does, e.g. {"model_state_dict": {"adapter.0.weight": T}, "epoch": 3} gives
// the tensor "model_state_dict.adapter.0.weight" and the value "epoch" = int64(3).
package torchfile

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/fairclip/fairclip/safetensors"
	"github.com/nlpodyssey/gopickle/pickle"
)

// ErrFormat is wrapped by errors caused by a file that is not a readable torch.save archive.
var ErrFormat = errors.New("not a readable PyTorch archive")

// Load reads the torch.save or TorchScript archive at path. It returns every tensor under its
// dotted name (floating-point tensors converted to float32, as in package safetensors) and
// every other leaf value (int64, float64, string, bool, nil; unknown objects as a string
// naming their class) under its dotted name.
func Load(path string) (map[string]safetensors.Tensor, map[string]any, error) {
	root, arc, err := loadRoot(path)
	if err != nil {
		return nil, nil, err
	}
	defer arc.Close()
	tensors := map[string]safetensors.Tensor{}
	values := map[string]any{}
	if err := flatten("", root, arc, tensors, values); err != nil {
		return nil, nil, fmt.Errorf("torchfile %s: %w", path, err)
	}
	return tensors, values, nil
}

// archive is an open torch zip archive.
type archive struct {
	path     string
	zr       *zip.ReadCloser
	prefix   string // the archive's top-level folder, with a trailing slash
	records  map[string]*zip.File
	storages map[string]*storage
	torchScr bool
}

func (a *archive) Close() error { return a.zr.Close() }

// loadRoot opens the archive and unpickles its data.pkl.
func loadRoot(path string) (any, *archive, error) {
	if err := checkZip(path); err != nil {
		return nil, nil, err
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, nil, fmt.Errorf("torchfile %s: %v: %w", path, err, ErrFormat)
	}
	a := &archive{path: path, zr: zr, records: map[string]*zip.File{}, storages: map[string]*storage{}}
	var dataPkl *zip.File
	for _, f := range zr.File {
		a.records[f.Name] = f
		dir, base := path2(f.Name)
		if base == "data.pkl" && !strings.Contains(dir, "/") {
			dataPkl = f
			a.prefix = dir + "/"
		}
	}
	if dataPkl == nil {
		zr.Close()
		return nil, nil, fmt.Errorf("torchfile %s: no data.pkl in the zip archive: %w", path, ErrFormat)
	}
	if _, ok := a.records[a.prefix+"constants.pkl"]; ok {
		a.torchScr = true
	}
	if bo, err := a.readRecord("byteorder"); err == nil && strings.TrimSpace(string(bo)) != "little" {
		zr.Close()
		return nil, nil, fmt.Errorf("torchfile %s: byte order %q is not supported: %w", path, bo, ErrFormat)
	}
	rc, err := dataPkl.Open()
	if err != nil {
		zr.Close()
		return nil, nil, fmt.Errorf("torchfile %s: %w", path, err)
	}
	defer rc.Close()
	u := pickle.NewUnpickler(rc)
	u.FindClass = findClass
	u.PersistentLoad = a.persistentLoad
	root, err := u.Load()
	if err != nil {
		zr.Close()
		return nil, nil, fmt.Errorf("torchfile %s: unpickling %s: %v: %w", path, dataPkl.Name, err, ErrFormat)
	}
	return root, a, nil
}

// path2 splits a zip record name into its folder and base name.
func path2(name string) (string, string) {
	dir, base := path.Split(name)
	return strings.TrimSuffix(dir, "/"), base
}

// checkZip gives a clear error for files that are not zip archives, in particular the
// legacy (PyTorch < 1.6) torch.save format.
func checkZip(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("torchfile: %w", err)
	}
	defer f.Close()
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil {
		return fmt.Errorf("torchfile %s: file too short: %w", path, ErrFormat)
	}
	if string(magic[:]) != "PK\x03\x04" {
		if magic[0] == 0x80 {
			return fmt.Errorf("torchfile %s: legacy (pre-1.6, non-zip) torch.save format; re-save it with a recent PyTorch (torch.save(torch.load(f), f2)) or convert it to safetensors: %w", path, ErrFormat)
		}
		return fmt.Errorf("torchfile %s: not a zip archive: %w", path, ErrFormat)
	}
	return nil
}

// readRecord reads the archive record name (relative to the top-level folder).
func (a *archive) readRecord(name string) ([]byte, error) {
	f, ok := a.records[a.prefix+name]
	if !ok {
		return nil, fmt.Errorf("record %s%s not found: %w", a.prefix, name, ErrFormat)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("record %s: %w", f.Name, err)
	}
	return b, nil
}
