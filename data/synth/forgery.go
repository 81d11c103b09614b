package synth

import (
	"math"
	"math/rand/v2"
)

// forgery describes how one fake video was made: the inner face of a donor
// identity blended into the target with this dataset's artifact style. The
// artifacts are those of real face swaps that survive into the statistics of
// image patches: a colour mismatch between the pasted face and its
// surroundings, an upsampling grid from resampling the donor (a checkerboard
// in phase with the pixel grid) and a blending seam (a darker ring where the
// mask's edge falls). A retouched real face (Bias.RealLookalike) goes through
// a beauty filter made with the same blend (newRetouch): the person's own face,
// smoothed and recoloured, with neither a grid nor a seam.
type forgery struct {
	strength float64    // artifact strength: dataset style x subgroup visibility
	colour   [3]float64 // per-channel gain loss of the pasted face: pixel x (1 - colour)
	edge     float64    // mask edge softness in face units (bigger = smoother)
	scale    float64    // mask size relative to the inner face
	grid     float64    // checkerboard (upsampling) artifact amplitude
	seam     float64    // darkening on the mask boundary
	blur     bool       // donor region blurred (lost high frequencies)
}

// Artifact amplitudes at strength 1 (pixel values in [0, 1]).
const (
	// colourLoss is the mean gain loss of the colour mismatch, a white-balance
	// difference between donor and target (the donor's camera or light): a
	// multiplicative change, so it never saturates and is larger on lighter skin in
	// absolute terms. (An additive lift, as before, clipped at 1 on light skin and
	// made White fakes the hardest to see, against the planted visibility bias.)
	colourLoss = 0.45
	gridAmp    = 0.16 // checkerboard half-amplitude
	seamAmp    = 0.25 // darkening at the middle of the mask edge
)

func newForgery(rng *rand.Rand, st style, visibility float64) forgery {
	s := st.strength * visibility
	f := forgery{strength: s, edge: 0.06, scale: 1 + 0.1*rng.NormFloat64(),
		grid: gridAmp * st.mix[1] * s, seam: seamAmp * st.mix[2] * s, blur: true}
	// Colour mismatch between donor and target: a gain loss, most in blue (a
	// warmer, darker face) plus jitter, scaled by strength.
	for c := range 3 {
		f.colour[c] = colourGainLoss(colourLoss*st.mix[0]*s, c, rng)
	}
	if st.blurEdges {
		f.edge = 0.25 // celebdf: well-smoothed boundary
	}
	return f
}

// newRetouch is a beauty filter on a real face: the skin smoothed (the blurred
// own face) and recoloured by a swap's colour mismatch at strength times its gain
// loss, under a feathered mask. It carries a swap's colour change but none of its
// geometry: no resampling (the face is not taken from another video) and no
// blending seam (no boundary between two faces). A detector that relies on the
// colour cue flags these real faces; one that relies on the grid and the seam does
// not, so the bias is one that a detector can learn away. Unlike a swap, it does not
// depend on the dataset's forgery style.
func newRetouch(rng *rand.Rand, strength float64) forgery {
	f := forgery{strength: strength, edge: 0.25, scale: 1 + 0.1*rng.NormFloat64(), blur: true}
	for c := range 3 {
		f.colour[c] = colourGainLoss(colourLoss*strength, c, rng)
	}
	return f
}

// colourGainLoss is channel c's gain loss at amplitude a: the tint (0.35, 0.7, 1)
// with jitter, kept in [-0.2, 0.9] (a gain of 0.1 to 1.2).
func colourGainLoss(a float64, c int, rng *rand.Rand) float64 {
	tint := [3]float64{0.35, 0.7, 1.0}
	return min(0.9, max(-0.2, a*(tint[c]+0.25*rng.NormFloat64())))
}

// blend applies the forgery to target (in place) with donor rendered in the
// same pose: inside a soft ellipse over eyes, nose and mouth the donor shows.
func (f forgery) blend(target, donor *canvas, g faceGeom) {
	n := target.n
	src := donor
	if f.blur {
		src = boxBlur(donor, 1)
	}
	for y := range n {
		for x := range n {
			u := (float64(x) + 0.5 - g.cx) / g.rx
			v := (float64(y) + 0.5 - g.cy) / g.ry
			mu, mv := u/(0.72*f.scale), (v-0.1)/(0.72*f.scale)
			d := math.Sqrt(mu*mu + mv*mv) // 1 on the mask boundary
			m := smoothstep(1+f.edge, 1-f.edge, d)
			if m <= 0 {
				continue
			}
			i := 3 * (y*n + x)
			checker := f.grid
			if (x+y)%2 != 0 {
				checker = -f.grid
			}
			seam := 4 * m * (1 - m) * f.seam // peaks where the mask is half on
			for c := range 3 {
				fake := src.pix[i+c]*(1-f.colour[c]) + checker
				target.pix[i+c] = clamp01(target.pix[i+c]*(1-m) + fake*m - seam)
			}
		}
	}
}

func smoothstep(edge0, edge1, x float64) float64 {
	if edge0 == edge1 {
		if x < edge0 {
			return 1
		}
		return 0
	}
	t := clamp01((x - edge0) / (edge1 - edge0))
	return t * t * (3 - 2*t)
}

// boxBlur returns a (2r+1)^2 box-blurred copy.
func boxBlur(src *canvas, r int) *canvas {
	n := src.n
	out := newCanvas(n)
	for y := range n {
		for x := range n {
			var sum [3]float64
			cnt := 0.0
			for dy := -r; dy <= r; dy++ {
				for dx := -r; dx <= r; dx++ {
					xx, yy := x+dx, y+dy
					if xx < 0 || yy < 0 || xx >= n || yy >= n {
						continue
					}
					for c := range 3 {
						sum[c] += src.pix[3*(yy*n+xx)+c]
					}
					cnt++
				}
			}
			for c := range 3 {
				out.pix[3*(y*n+x)+c] = sum[c] / cnt
			}
		}
	}
	return out
}

// capture applies the dataset's camera and encoding style to every image,
// real or fake: sensor noise, colour cast and, for dfdc, 8x8 block
// quantization like a low-quality JPEG.
func capture(cv *canvas, st style, rng *rand.Rand) {
	sigma := 0.012 * st.noise
	for i := range cv.pix {
		cast := 0.0
		switch i % 3 {
		case 0:
			cast = st.hueShift
		case 2:
			cast = -st.hueShift
		}
		cv.pix[i] = clamp01(cv.pix[i] + cast + sigma*rng.NormFloat64())
	}
	if st.jpeg > 0 {
		blockQuantize(cv, 8, float64(st.jpeg)/255)
	}
}

// blockQuantize keeps each 8x8 block's mean exactly and quantizes the
// deviations from it with step q: the blocky, detail-losing look of strong
// JPEG compression without a DCT.
func blockQuantize(cv *canvas, b int, q float64) {
	n := cv.n
	for by := 0; by < n; by += b {
		for bx := 0; bx < n; bx += b {
			for c := range 3 {
				var sum, cnt float64
				for y := by; y < min(by+b, n); y++ {
					for x := bx; x < min(bx+b, n); x++ {
						sum += cv.pix[3*(y*n+x)+c]
						cnt++
					}
				}
				mean := sum / cnt
				for y := by; y < min(by+b, n); y++ {
					for x := bx; x < min(bx+b, n); x++ {
						i := 3*(y*n+x) + c
						cv.pix[i] = clamp01(mean + q*math.Round((cv.pix[i]-mean)/q))
					}
				}
			}
		}
	}
}
