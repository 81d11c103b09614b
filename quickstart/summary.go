package quickstart

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// printSummary says where everything is and what to run next with real data.
func printSummary(w io.Writer, r Result) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("\n== Done in %.0fs ==\n", r.Seconds)
	p("Report:         %s (HTML: %s, plots: %s/)\n", r.Report, r.ReportHTML, r.Plots)
	p("Runs:           %s\n", strings.Join(r.Runs, ", "))
	p("Configurations: %s/ (the originals; scaled-down and resolved: quickstart/*.yaml)\n", r.ConfigDir)
	p("Data:           %s (synthetic PG-FDD layout; use it as dataset.fairness_root)\n", r.Data)
	p("Features:       %s (backbone %s: tiny and random, not CLIP)\n", r.Features, r.Backbone)
	p("Stage 1:        %s\n", r.Stage1)
	if len(r.Pareto) > 0 {
		p("Pareto plots:   %s\n", strings.Join(r.Pareto, ", "))
	}
	p("\nInspect:\n")
	p("  fairclip report %s --out - --lang ko          # the report in Korean, on stdout\n", strings.Join(r.Runs, " "))
	p("  fairclip probe fairloss --run %s --blur 1e-4,3e-4,5e-4,1e-3\n", first(r.Runs))
	p("\nUse the trained Exp1 detector:\n")
	p("  fairclip detect --run %s IMAGE                  # is this face forged? (with the subgroup caveats of the report)\n", first(r.Runs))
	p("  fairclip serve --run %s --runs %s     # the detector and the runs in a browser\n", first(r.Runs), filepath.Dir(first(r.Runs)))
	p("\nNext, with real data and weights (PG-FDD fairness CSVs and face crops, CLIP ViT-L/14 weights, a Stage 1 checkpoint):\n")
	real := "--set dataset.fairness_root=/data/fairness --set clip_weights=/weights/clip-vit-large-patch14.safetensors"
	p("  fairclip extract --config configs/exp1_baseline.yaml %s\n", real)
	p("  fairclip probe fairloss --config configs/exp1_baseline.yaml %s \\\n", real)
	p("      --set stage1_checkpoint=checkpoints/stage1/checkpoint_best.pth --blur 1e-4,3e-4,5e-4,1e-3\n")
	for _, e := range Experiments {
		p("  fairclip train --config configs/%s %s \\\n      --set stage1_checkpoint=checkpoints/stage1/checkpoint_best.pth\n", e.File, real)
	}
	p("  fairclip report logs/exp1_baseline_* logs/exp2_fairness_boost_* logs/exp3_balanced_recovery_* --out report.md --html\n")
	p("(ViT-L/14 takes ~0.7 s per image on 2 CPU cores: spread a real extraction over a cluster with --executor slurm --tasks N, or use a GPU with --backend xla:/abs/path/pjrt_plugin.so; training then runs on the stored features.)\n")
}

func first(runs []string) string {
	if len(runs) == 0 {
		return "RUNDIR"
	}
	return runs[0]
}
