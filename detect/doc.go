// Package detect answers "is this image or video fake?" with a trained fairclip run:
// faces are found in each image or sampled video frame, cropped the way the training
// data was cropped, and scored by the run's own preprocessing, CLIP backbone, Stage 1
// adapter and Stage 2 head (the code `fairclip eval` runs; there is no second model).
//
// A Detector loads the model once and is safe for concurrent use; `fairclip detect`
// and `fairclip serve` both call it, and both print the JSON of Report / FileResult.
//
// Crop rule (shared with the synthetic data of data/synth, whose face ellipse spans
// 80% of the image height): a detected face box of side s centred at (cx, cy) becomes
// the square crop of side CropScale*s (1.3, DeepfakeBench's dlib margin) centred at
// (cx, cy), shifted inside the image when it crosses an edge, and shrunk to the
// largest square that fits when it is larger than the image. No rotation alignment
// is applied (the detector gives upright boxes; training crops are upright too).
// The crop then goes through the run's preprocessing (resize, normalize) exactly as
// training images do.
package detect
