// Package synth generates fairclip's synthetic, demographically annotated
// face-forgery data: PNG face images in the PG-FDD layout (Generate) and
// 768-d feature sets with label, subgroup and dataset structure (Features), so
// that every part of fairclip runs end to end without external data.
package synth
