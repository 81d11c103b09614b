package synth

import (
	"math"
	"math/rand/v2"

	"github.com/fairclip/fairclip/data"
)

// identity is what stays fixed across the frames of one person.
type identity struct {
	subgroup int
	skin     [3]float64 // linear-ish RGB in [0,1]
	hair     [3]float64
	bg       [2][3]float64 // background gradient ends
	faceW    float64       // half-width of the face ellipse, fraction of the image
	faceH    float64
	eyeGap   float64
	mouthW   float64
	hairLong bool
}

// Skin tones by race (Asian, White, Black, Other), before identity jitter.
var skinTones = [4][3]float64{
	{0.88, 0.74, 0.62},
	{0.94, 0.80, 0.72},
	{0.45, 0.31, 0.23},
	{0.74, 0.55, 0.43},
}

var hairColours = [][3]float64{
	{0.08, 0.07, 0.06}, {0.25, 0.16, 0.10}, {0.55, 0.40, 0.22}, {0.80, 0.68, 0.45}, {0.35, 0.33, 0.32},
}

func newIdentity(rng *rand.Rand, subgroup int) identity {
	race, female := subgroup%4, subgroup >= 4
	id := identity{subgroup: subgroup, hairLong: female}
	for c := range 3 {
		id.skin[c] = clamp01(skinTones[race][c] + 0.05*rng.NormFloat64())
	}
	h := hairColours[rng.IntN(2)] // dark hair is the common case
	if race == 1 && rng.Float64() < 0.5 {
		h = hairColours[2+rng.IntN(3)]
	}
	id.hair = h
	for e := range 2 {
		for c := range 3 {
			id.bg[e][c] = 0.4 + 0.2*rng.Float64() // face crops: little background
		}
	}
	id.faceW = 0.37 + 0.02*rng.NormFloat64()
	id.faceH = 0.43 + 0.02*rng.NormFloat64()
	if female {
		id.faceW -= 0.025 // narrower jaw
		id.faceH -= 0.01
	} else if rng.Float64() < 0.3 {
		id.hairLong = false
	}
	if female && rng.Float64() < 0.15 {
		id.hairLong = false
	}
	id.eyeGap = 0.10 + 0.012*rng.NormFloat64()
	id.mouthW = 0.085 + 0.012*rng.NormFloat64()
	return id
}

// pose is what changes between frames.
type pose struct {
	dx, dy, scale float64 // face centre offset (fraction of size) and scale
	light         [2]float64
	gain          float64
}

func newPose(rng *rand.Rand) pose {
	return pose{
		dx: 0.02 * rng.NormFloat64(), dy: 0.015 * rng.NormFloat64(), scale: 1 + 0.03*rng.NormFloat64(),
		light: [2]float64{0.15 * rng.NormFloat64(), 0.1 + 0.1*rng.NormFloat64()},
		gain:  1 + 0.05*rng.NormFloat64(),
	}
}

// canvas is a float RGB image in [0,1], row-major.
type canvas struct {
	n   int
	pix []float64 // 3*n*n
}

func newCanvas(n int) *canvas { return &canvas{n: n, pix: make([]float64, 3*n*n)} }

// faceGeom gives the face frame in pixel units for a pose.
type faceGeom struct{ cx, cy, rx, ry float64 }

func geometry(id identity, p pose, n int) faceGeom {
	fn := float64(n)
	return faceGeom{cx: fn * (0.5 + p.dx), cy: fn * (0.53 + p.dy), rx: fn * id.faceW * p.scale, ry: fn * id.faceH * p.scale}
}

// render draws identity id in pose p; every pixel is a smooth function of
// (x, y) so that small pose changes give small image changes.
func render(id identity, p pose, n int) *canvas {
	cv := newCanvas(n)
	g := geometry(id, p, n)
	fn := float64(n)
	for y := range n {
		for x := range n {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			// Background: vertical gradient between the two ends.
			t := fy / fn
			var col [3]float64
			for c := range 3 {
				col[c] = id.bg[0][c]*(1-t) + id.bg[1][c]*t
			}
			u, v := (fx-g.cx)/g.rx, (fy-g.cy)/g.ry
			r := u*u + v*v
			// Hair behind the face: long hair reaches the shoulders.
			hairR := (u*u)/(1.25*1.25) + ((v+0.25)*(v+0.25))/(1.2*1.2)
			if (id.hairLong && hairR < 1 && v < 1.4) || (!id.hairLong && hairR < 1 && v < -0.35) {
				col = id.hair
			}
			// Neck and shoulders.
			if math.Abs(u) < 0.45 && v > 0.8 {
				col = mul(id.skin, 0.85)
			}
			if v > 1.35 && math.Abs(u) < 2.2 {
				col = [3]float64{0.2 + 0.3*id.bg[1][0], 0.2 + 0.2*id.bg[1][1], 0.3 + 0.3*id.bg[1][2]}
			}
			if r < 1 {
				// Skin with soft shading from the light direction.
				shade := 1 + p.light[0]*u - p.light[1]*v - 0.12*r
				col = mul(id.skin, shade)
				// Fringe for short hair: a cap over the forehead.
				if !id.hairLong && v < -0.72 {
					col = id.hair
				}
				if id.hairLong && v < -0.8 {
					col = id.hair
				}
				drawFeatures(&col, id, u, v)
			}
			for c := range 3 {
				cv.pix[3*(y*n+x)+c] = clamp01(col[c] * p.gain)
			}
		}
	}
	return cv
}

// drawFeatures paints brows, eyes, nose and mouth in face coordinates (u, v).
func drawFeatures(col *[3]float64, id identity, u, v float64) {
	eg := id.eyeGap / id.faceW
	for _, side := range []float64{-1, 1} {
		eu, ev := (u-side*eg*1.1)/0.2, (v+0.18)/0.08
		if eu*eu+ev*ev < 1 {
			*col = [3]float64{0.95, 0.95, 0.93}
			if pu, pv := (u-side*eg*1.1)/0.08, (v+0.18)/0.075; pu*pu+pv*pv < 1 {
				*col = [3]float64{0.12, 0.09, 0.07}
			}
		}
		if bu, bv := (u-side*eg*1.1)/0.24, (v+0.36)/0.035; bu*bu+bv*bv < 1 {
			*col = mul(id.hair, 1.1)
		}
	}
	if nu, nv := u/0.07, (v-0.12)/0.18; nu*nu+nv*nv < 1 {
		*col = mul(*col, 0.9)
	}
	mw := id.mouthW / id.faceW
	if mu, mv := u/mw, (v-0.5)/0.06; mu*mu+mv*mv < 1 {
		*col = [3]float64{0.6*id.skin[0] + 0.3, 0.35 * id.skin[1], 0.35 * id.skin[2]}
	}
}

func mul(c [3]float64, k float64) [3]float64 { return [3]float64{c[0] * k, c[1] * k, c[2] * k} }

func clamp01(v float64) float64 {
	if v < 0 {
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}

// identityRand gives the generator of identity k of a dataset.
func identityRand(seed int64, dataset string, k int) *rand.Rand {
	return data.NewRand(seed, 0x1d, datasetIndex(dataset), int64(k))
}
