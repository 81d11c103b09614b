package synth

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"github.com/fairclip/fairclip/atomicfile"
	"github.com/fairclip/fairclip/data"
)

// AttributeImageOptions configures GenerateAttributes.
type AttributeImageOptions struct {
	// Out is the folder to write (created if missing).
	Out string
	// Layout is data.LayoutFairFace, data.LayoutUTKFace or data.LayoutGeneric.
	Layout string
	// PerSubgroup is the number of faces per subgroup (race + 4*female).
	PerSubgroup int
	// ImageSize is the square image side; 0 means 64.
	ImageSize int
	Seed      int64
}

// fairFaceLabels are the FairFace race labels written per race (cycled).
var fairFaceLabels = [4][]string{{"East Asian", "Southeast Asian"}, {"White"}, {"Black"}, {"Indian", "Middle Eastern", "Latino_Hispanic"}}

// utkRaceCodes are the UTKFace race codes written per race (cycled).
var utkRaceCodes = [4][]int{{2}, {0}, {1}, {3, 4}}

// GenerateAttributes writes a face-attribute image set in one of the Stage 1
// layouts, the synthetic faces of Generate without forgeries:
//   - fairface: Out/train/N.jpg and Out/fairface_label_train.csv (file,age,gender,race,service_test);
//   - utkface: Out/part1/{age}_{gender}_{race}_{date}.jpg.chip.jpg;
//   - generic: Out/images/N.png and Out/attributes.csv (img_path,ismale,isasian,iswhite,isblack).
//
// It returns the attribute file (the folder for utkface) for the config's
// stage1.attribute_datasets entry.
func GenerateAttributes(ctx context.Context, opts AttributeImageOptions) (string, error) {
	size := opts.ImageSize
	if size == 0 {
		size = 64
	}
	if opts.Out == "" || opts.PerSubgroup < 1 || size < 16 {
		return "", fmt.Errorf("synth attributes: need an output folder, at least 1 face per subgroup and size >= 16 (got %q, %d, %d)", opts.Out, opts.PerSubgroup, size)
	}
	var index strings.Builder
	var indexPath string
	switch opts.Layout {
	case data.LayoutFairFace:
		indexPath = filepath.Join(opts.Out, "fairface_label_train.csv")
		index.WriteString("file,age,gender,race,service_test\n")
	case data.LayoutGeneric:
		indexPath = filepath.Join(opts.Out, "attributes.csv")
		index.WriteString("img_path,ismale,isasian,iswhite,isblack\n")
	case data.LayoutUTKFace:
		indexPath = opts.Out
	default:
		return "", fmt.Errorf("synth attributes: unknown layout %q (want fairface, utkface or generic)", opts.Layout)
	}
	st := styles["ff++"]
	n := 0
	for g := range data.NumSubgroups {
		race, female := g%4, g/4
		for k := range opts.PerSubgroup {
			if err := ctx.Err(); err != nil {
				return "", err
			}
			rng := data.NewRand(opts.Seed, 0xa7, int64(g), int64(k))
			cv := render(newIdentity(rng, g), newPose(rng), size)
			capture(cv, st, rng)
			age := 18 + rng.IntN(50)
			var rel string
			var buf bytes.Buffer
			var err error
			switch opts.Layout {
			case data.LayoutFairFace:
				rel = fmt.Sprintf("train/%d.jpg", n+1)
				gender := [2]string{"Male", "Female"}[female]
				labels := fairFaceLabels[race]
				fmt.Fprintf(&index, "%s,%d-%d,%s,%s,True\n", rel, age/10*10, age/10*10+9, gender, labels[k%len(labels)])
				err = jpeg.Encode(&buf, cv.image(), &jpeg.Options{Quality: 95})
			case data.LayoutUTKFace:
				codes := utkRaceCodes[race]
				rel = fmt.Sprintf("part1/%d_%d_%d_2017%013d.jpg.chip.jpg", age, female, codes[k%len(codes)], n)
				err = jpeg.Encode(&buf, cv.image(), &jpeg.Options{Quality: 95})
			default:
				rel = fmt.Sprintf("images/%05d.png", n)
				male, asian, white, black := attributeFlags(g)
				fmt.Fprintf(&index, "%s,%d,%d,%d,%d\n", rel, male, asian, white, black)
				err = png.Encode(&buf, cv.image())
			}
			if err != nil {
				return "", fmt.Errorf("synth attributes: encode %s: %w", rel, err)
			}
			full := filepath.Join(opts.Out, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				return "", fmt.Errorf("synth attributes: %w", err)
			}
			if err := atomicfile.WriteFile(full, buf.Bytes(), 0o644); err != nil {
				return "", fmt.Errorf("synth attributes: %w", err)
			}
			n++
		}
	}
	if opts.Layout != data.LayoutUTKFace {
		if err := atomicfile.WriteFile(indexPath, []byte(index.String()), 0o644); err != nil {
			return "", fmt.Errorf("synth attributes: %w", err)
		}
	}
	return indexPath, nil
}
