#!/usr/bin/env bash
# bench-vs-pytorch.sh: fairclip and Debian's python3-torch side by side on this machine,
# in one run, with ratios (docs/engine.md).
#
#   scripts/bench-vs-pytorch.sh            full: matmuls, FMA peak, Stage 2 FF++-sized
#                                          epoch, Stage 1 FF++-sized epoch, ViT-L/14 forward
#                                          (batch 8), quickstart
#   scripts/bench-vs-pytorch.sh --quick    one matmul shape and the FMA peak (seconds)
#   options: --repeat N   repeats of the matmul and quickstart measurements, best kept
#                         (default 2, 1 for --quick; the epoch and ViT run once per setting)
#            --only LIST  comma-separated parts of the full mode: matmul,epoch,stage1,vit,quickstart
#            --stage1-batches N  PyTorch's Stage 1 epoch: time N of its 1,250 training batches and
#                         scale to the epoch (default 125; each batch is the same work); 0: all
#                         (about 10 minutes or more per PyTorch setting). fairclip runs the whole epoch.
#            --timeout D  limit for each fairclip benchmark command (timeout(1) syntax, default 40m)
#            --torch-threads "1 2", --torch-kernels "default SkylakeX": PyTorch settings to run
#
# fairclip runs its `go test -bench` benchmarks and the quickstart on the default backend
# (GOMLX_BACKEND overrides) and kernel (FAIRCLIP_KERNEL overrides). PyTorch runs scripts/bench_torch.py
# at 1 and 2 threads with OMP_WAIT_POLICY=PASSIVE, OpenBLAS's default kernel and, on
# AVX-512 CPUs, OPENBLAS_CORETYPE=SkylakeX, with the OpenMP OpenBLAS
# (libopenblas0-openmp) when installed; the best PyTorch figure is the one compared.
# On a shared machine every figure is noisy: repeat, and read the best.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=full
repeat=2
only=matmul,epoch,stage1,vit,quickstart
stage1_batches=125
limit=40m
torch_threads="1 2"
torch_kernels=""
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) mode=quick; repeat=1 ;;
	--repeat) repeat="$2"; shift ;;
	--only) only="$2"; shift ;;
	--timeout) limit="$2"; shift ;;
	--stage1-batches) stage1_batches="$2"; shift ;;
	--torch-threads) torch_threads="$2"; shift ;;
	--torch-kernels) torch_kernels="$2"; shift ;;
	-h | --help) sed -n '2,23p' "$0"; exit 0 ;;
	*) echo "bench-vs-pytorch.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done

[ "$mode" = full ] || only=matmul
want() { [[ ",$only," == *",$1,"* ]]; }
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
results="$tmp/results.tsv" # side, metric, value, unit, configuration
: >"$results"

if ! "$py" -c 'import torch' 2>/dev/null; then
	echo "bench-vs-pytorch.sh: $py cannot import torch: apt-get install python3-torch" >&2
	exit 1
fi
blasdir=/usr/lib/x86_64-linux-gnu/openblas-openmp
if dpkg -s libopenblas0-openmp >/dev/null 2>&1 && [ -e "$blasdir/libblas.so.3" ]; then
	blas="OpenBLAS OpenMP ($blasdir, via LD_LIBRARY_PATH)"
else
	blasdir=""
	blas="the system libblas.so.3 (libopenblas0-openmp is not installed: apt-get install libopenblas0-openmp)"
fi
coretypes=("default")
if grep -qw avx512f /proc/cpuinfo; then coretypes+=("SkylakeX"); fi
# shellcheck disable=SC2206 # word lists
[ -z "$torch_kernels" ] || coretypes=($torch_kernels)

echo "== $(date -u +%FT%TZ) $(uname -m), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine makes every figure lower)"
echo "   fairclip: backend ${GOMLX_BACKEND:-<default>}, kernel ${FAIRCLIP_KERNEL:-<fastest>}; $(go version)"
echo "   PyTorch: $("$py" -c 'import torch; print(torch.__version__)'), BLAS: $blas"
echo "   mode $mode, each measurement repeated $repeat× (best kept)"

# torch_all REPEATS CMD...: runs bench_torch.py CMD REPEATS times at every thread count
# and OpenBLAS kernel, recording each RESULT line.
torch_all() {
	local threads coretype env reps="$1"
	shift
	for threads in $torch_threads; do
		for coretype in "${coretypes[@]}"; do
			for _ in $(seq "$reps"); do
				env=(OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS="$threads")
				[ "$coretype" = default ] || env+=(OPENBLAS_CORETYPE="$coretype")
				[ -z "$blasdir" ] || env+=(LD_LIBRARY_PATH="$blasdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
				env "${env[@]}" "$py" scripts/bench_torch.py "$@" --threads "$threads" 2>"$tmp/torch.err" |
					while read -r tag metric value unit; do
						[ "$tag" = RESULT ] || continue
						printf 'pytorch\t%s\t%s\t%s\t%s threads, %s kernel\n' "$metric" "$value" "$unit" "$threads" "$coretype" >>"$results"
						echo "   pytorch $metric: $value $unit ($threads threads, $coretype kernel)"
					done
			done
		done
	done
}

# go_bench PKG REGEX BENCHTIME COUNT: runs go test benchmarks, showing their lines.
go_bench() {
	timeout "$limit" go test -timeout 0 -run '^$' -bench "$2" -benchtime "$3" -count "$4" "./$1/" 2>&1 | tee -a "$tmp/go.log" |
		grep -E '^(Benchmark|FAIL|panic|---)' | sed 's/^/   /' || true
}

# go_metric PATTERN UNIT METRIC: records each benchmark line matching PATTERN by its UNIT value.
go_metric() {
	grep -E "$1" "$tmp/go.log" | awk -v unit="$2" -v metric="$3" '{
		for (i = 2; i < NF; i++) if ($(i+1) == unit) { name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark[^\/]*\/?/, "", name); if (name == "") name = $1; printf "fairclip\t%s\t%s\t%s\t%s\n", metric, $i, unit, name }
	}' >>"$results"
}

shapes=("256 768 3072" "1024 768 3072" "2056 1024 4096")
benchtime=1s
if [ "$mode" = quick ]; then
	shapes=("256 768 3072")
	benchtime=0.3s
fi

if want matmul; then
	echo "== float32 matmul and FMA peak: fairclip (kernels package)"
	shape_re=$(for s in "${shapes[@]}"; do echo -n "${s// /x}|"; done)
	go_bench kernels "^BenchmarkFMAPeak\$|^BenchmarkGemm\$/^(avx512|avx2)\$/^(${shape_re%|})\$" "$benchtime" "$repeat"
	for s in "${shapes[@]}"; do
		for layout in NN NT; do
			go_metric "^BenchmarkGemm/[a-z0-9]+/${s// /x}/$layout/" GFLOP/s "matmul/${s// /x}/$layout"
			go_metric "^BenchmarkGemm/[a-z0-9]+/${s// /x}/$layout/" GFLOP/cpu-s "matmul/${s// /x}/$layout@cpu"
		done
	done
	go_metric '^BenchmarkFMAPeak/' GFLOP/s fma-peak
	go_metric '^BenchmarkFMAPeak/' GFLOP/cpu-s fma-peak@cpu

	echo "== float32 matmul: PyTorch"
	seconds=3
	[ "$mode" = quick ] && seconds=0.6
	for s in "${shapes[@]}"; do
		# shellcheck disable=SC2086 # the shape is three words
		torch_all "$repeat" matmul $s --seconds "$seconds"
	done
fi

if want epoch; then
	echo "== Stage 2 FF++-sized epoch (fairness loss on): fairclip"
	go_bench train '^BenchmarkFFPPEpoch$' 1x 1
	go_metric '^BenchmarkFFPPEpoch' sec/epoch epoch/ffpp
	echo "== Stage 2 FF++-sized epoch: PyTorch (train/testdata/gen/parity.py --bench)"
	torch_all 1 epoch
fi

if want stage1; then
	# The original's Stage 1 has no logistic probes: both sides run training and the
	# validation pass without them (stage1.probe_every=0 for fairclip).
	echo "== Stage 1 FF++-sized epoch (80,000 samples, 1,250 batches of 64, 25,000 val; probes off): fairclip"
	FAIRCLIP_STAGE1_BENCH_PROBES=0 go_bench train '^BenchmarkStage1Epoch$' 1x 1
	go_metric '^BenchmarkStage1Epoch' sec/epoch epoch/stage1
	go_metric '^BenchmarkStage1Epoch' train-s epoch/stage1-train
	echo "== Stage 1 FF++-sized epoch: PyTorch (train/testdata/gen/stage1_bench.py, $([ "$stage1_batches" = 0 ] && echo "all batches" || echo "$stage1_batches batches timed, scaled to 1,250"))"
	torch_all 1 stage1 --batches "$stage1_batches"
fi

if want quickstart; then
	echo "== quickstart (tiny scale): default backend vs GoMLX's pure-Go backend (go)"
	go build -o "$tmp/fairclip" ./cmd/fairclip
	for side in fairclip fairclip-go; do
		backend="${GOMLX_BACKEND:-}"
		[ "$side" = fairclip ] || backend=go
		for _ in $(seq "$repeat"); do
			rm -rf "$tmp/qs"
			start=$(date +%s.%N)
			# quickstart reads --backend, not GOMLX_BACKEND.
			"$tmp/fairclip" quickstart --out "$tmp/qs" ${backend:+--backend "$backend"} >"$tmp/qs.log" 2>&1 ||
				{ echo "quickstart failed (backend ${backend:-<default>}):" >&2; tail -20 "$tmp/qs.log" >&2; exit 1; }
			secs=$(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")
			echo "   quickstart, backend ${backend:-<default>}: $secs s"
			printf '%s\tquickstart\t%s\ts\tbackend %s\n' "$side" "$secs" "${backend:-<default>}" >>"$results"
		done
	done
fi

if want vit; then
	echo "== ViT-L/14 forward, batch 8, 224², random weights: fairclip"
	go_bench clip '^BenchmarkViTL14Forward$' 1x 1
	grep -E '^BenchmarkViTL14Forward' "$tmp/go.log" | awk '{
		for (i = 2; i < NF; i++) {
			if ($(i+1) == "images/s") printf "fairclip\tvitl14/batch8\t%.3f\ts/image\tBenchmarkViTL14Forward\n", 1 / $i
			if ($(i+1) == "cpu-s/image") printf "fairclip\tvitl14/batch8@cpu\t%.3f\tcpu-s/image\tBenchmarkViTL14Forward\n", $i
		}
	}' >>"$results"
	echo "== ViT-L/14 forward: PyTorch"
	torch_all 1 vit --batch 8 --runs 1
fi

echo
echo "== Summary (best of each side; speed-up = fairclip speed / other side's speed, > 1 means fairclip is faster)"
awk -F'\t' '
	function better(unit, a, b) { return unit ~ /GFLOP/ ? a > b : a < b }
	{
		key = $2 SUBSEP $1
		if (!(key in best) || better($4, $3, best[key])) { best[key] = $3; conf[key] = $5 }
		unit[$2] = $4
		if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }
	}
	END {
		peak = best["fma-peak" SUBSEP "fairclip"]
		peakcpu = best["fma-peak@cpu" SUBSEP "fairclip"]
		printf "%-26s %10s  %-34s %10s  %-30s %s\n", "what", "fairclip", "(how)", "other", "(how)", "speed-up"
		for (i = 1; i <= n; i++) {
			m = order[i]
			if (m ~ /^fma-peak/) continue
			f = best[m SUBSEP "fairclip"]
			other = "pytorch"
			if (!((m SUBSEP other) in best)) other = "fairclip-go"
			o = best[m SUBSEP other]
			if (f == "" || o == "") continue
			r = unit[m] ~ /GFLOP/ ? f / o : o / f
			extra = ""
			if (unit[m] == "GFLOP/s" && peak > 0) extra = sprintf("  (%.0f%% of FMA peak)", 100 * f / peak)
			if (unit[m] == "GFLOP/cpu-s" && peakcpu > 0) extra = sprintf("  (%.0f%% of FMA peak per core)", 100 * f / peakcpu)
			printf "%-26s %10s  %-34s %10s  %-30s %.2f×%s\n", m, f, conf[m SUBSEP "fairclip"], o, (other == "pytorch" ? "PyTorch " : "GoMLX go, ") conf[m SUBSEP other], r, extra
		}
		if (peak > 0) printf "FMA peak (independent FMAs): %s GFLOP/s (%s); per core %s GFLOP/cpu-s (%s)\n", peak, conf["fma-peak" SUBSEP "fairclip"], peakcpu, conf["fma-peak@cpu" SUBSEP "fairclip"]
		printf "units: matmul GFLOP/s; epoch s/epoch (stage1-train: its training part); vitl14 s/image; quickstart s (compared with the go backend);\n"
		printf "@cpu rows divide by process CPU time instead of wall time (GFLOP/cpu-s, cpu-s/image): on a\n"
		printf "shared machine they show each side'"'"'s own speed per core-second; wall-clock rows show what a user waits.\n"
	}' "$results"
