// Package featuretest writes tiny image datasets in the PG-FDD layout for the tests
// of the feature store and of training from it.
package featuretest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// WriteDataset writes a tiny PG-FDD dataset under root: ff++ with realtrain,
// faketrain, realval, fakeval and test CSVs of n rows each, over random 40x48 PNGs.
func WriteDataset(root string, n int) error {
	rng := rand.New(rand.NewPCG(7, 11))
	for _, split := range []string{"realtrain", "faketrain", "realval", "fakeval", "test"} {
		var b strings.Builder
		b.WriteString("img_path,label,ismale,isasian,iswhite,isblack,intersec_label\n")
		for i := range n {
			rel := fmt.Sprintf("ff++/frames/%s/f_%s-v%d_%03d.png", split, split, i/3, i)
			if err := writePNG(filepath.Join(root, rel), rng); err != nil {
				return err
			}
			label := 1
			if strings.HasPrefix(split, "real") || (split == "test" && (i/3)%2 == 0) {
				label = 0
			}
			male := []string{"1", "-1"}[i%2]
			race := [][3]string{{"1", "-1", "-1"}, {"-1", "1", "-1"}, {"-1", "-1", "1"}, {"-1", "-1", "-1"}}[(i/2)%4]
			fmt.Fprintf(&b, "%s,%d,%s,%s,%s,%s,0\n", rel, label, male, race[0], race[1], race[2])
		}
		p := filepath.Join(root, "ff++", split+".csv")
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func writePNG(path string, rng *rand.Rand) error {
	img := image.NewRGBA(image.Rect(0, 0, 40, 48))
	base := [3]int{rng.IntN(200), rng.IntN(200), rng.IntN(200)}
	for y := range 48 {
		for x := range 40 {
			img.Set(x, y, color.RGBA{uint8(base[0] + (x*y)%50), uint8(base[1] + rng.IntN(40)), uint8(base[2] + y), 255})
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
