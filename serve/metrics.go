package serve

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// latencyBuckets are the upper bounds (seconds) of the request latency histogram.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

type routeCode struct {
	route string
	code  int
}

type histogram struct {
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	n      uint64
}

// serverMetrics are the counters behind GET /metrics, written in the Prometheus text
// exposition format (version 0.0.4).
type serverMetrics struct {
	mu        sync.Mutex
	requests  map[routeCode]uint64
	latency   map[string]*histogram
	inFlight  int64
	failures  uint64 // detections answered with a per-file error (bad input)
	started   time.Time
	waitingFn func() int
	runningFn func() int
}

func newServerMetrics(waiting, running func() int) *serverMetrics {
	return &serverMetrics{
		requests:  map[routeCode]uint64{},
		latency:   map[string]*histogram{},
		started:   time.Now(),
		waitingFn: waiting,
		runningFn: running,
	}
}

func (m *serverMetrics) begin() {
	m.mu.Lock()
	m.inFlight++
	m.mu.Unlock()
}

// end records one finished request.
func (m *serverMetrics) end(route string, code int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.inFlight--
	m.requests[routeCode{route, code}]++
	h := m.latency[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets)+1)}
		m.latency[route] = h
	}
	s := d.Seconds()
	i := sort.SearchFloat64s(latencyBuckets, s) // first bound >= s
	h.counts[i]++
	h.sum += s
	h.n++
}

func (m *serverMetrics) detectFailure() {
	m.mu.Lock()
	m.failures++
	m.mu.Unlock()
}

// labelValue escapes a label value as the text format requires.
func labelValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func formatFloat(x float64) string {
	if math.IsInf(x, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// write prints every metric, series sorted so that the output is stable.
func (m *serverMetrics) write(w io.Writer) error {
	m.mu.Lock()
	keys := make([]routeCode, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].route != keys[j].route {
			return keys[i].route < keys[j].route
		}
		return keys[i].code < keys[j].code
	})
	routes := make([]string, 0, len(m.latency))
	for r := range m.latency {
		routes = append(routes, r)
	}
	sort.Strings(routes)

	var b strings.Builder
	b.WriteString("# HELP fairclip_http_requests_total HTTP requests answered, by route and status code.\n")
	b.WriteString("# TYPE fairclip_http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "fairclip_http_requests_total{route=\"%s\",code=\"%d\"} %d\n", labelValue(k.route), k.code, m.requests[k])
	}
	b.WriteString("# HELP fairclip_http_errors_total HTTP requests answered with a 4xx (class=\"client\") or 5xx (class=\"server\") status.\n")
	b.WriteString("# TYPE fairclip_http_errors_total counter\n")
	errs := map[[2]string]uint64{}
	for _, k := range keys {
		switch {
		case k.code >= 500:
			errs[[2]string{k.route, "server"}] += m.requests[k]
		case k.code >= 400:
			errs[[2]string{k.route, "client"}] += m.requests[k]
		}
	}
	errKeys := make([][2]string, 0, len(errs))
	for k := range errs {
		errKeys = append(errKeys, k)
	}
	sort.Slice(errKeys, func(i, j int) bool {
		if errKeys[i][0] != errKeys[j][0] {
			return errKeys[i][0] < errKeys[j][0]
		}
		return errKeys[i][1] < errKeys[j][1]
	})
	for _, k := range errKeys {
		fmt.Fprintf(&b, "fairclip_http_errors_total{route=\"%s\",class=\"%s\"} %d\n", labelValue(k[0]), k[1], errs[k])
	}
	b.WriteString("# HELP fairclip_http_request_duration_seconds HTTP request latency, by route.\n")
	b.WriteString("# TYPE fairclip_http_request_duration_seconds histogram\n")
	for _, r := range routes {
		h := m.latency[r]
		lv := labelValue(r)
		var cum uint64
		for i, le := range latencyBuckets {
			cum += h.counts[i]
			fmt.Fprintf(&b, "fairclip_http_request_duration_seconds_bucket{route=\"%s\",le=\"%s\"} %d\n", lv, formatFloat(le), cum)
		}
		cum += h.counts[len(latencyBuckets)]
		fmt.Fprintf(&b, "fairclip_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %d\n", lv, cum)
		fmt.Fprintf(&b, "fairclip_http_request_duration_seconds_sum{route=\"%s\"} %s\n", lv, formatFloat(h.sum))
		fmt.Fprintf(&b, "fairclip_http_request_duration_seconds_count{route=\"%s\"} %d\n", lv, h.n)
	}
	b.WriteString("# HELP fairclip_http_requests_in_flight HTTP requests being served now.\n")
	b.WriteString("# TYPE fairclip_http_requests_in_flight gauge\n")
	fmt.Fprintf(&b, "fairclip_http_requests_in_flight %d\n", m.inFlight)
	b.WriteString("# HELP fairclip_inferences_running Detections running now.\n")
	b.WriteString("# TYPE fairclip_inferences_running gauge\n")
	fmt.Fprintf(&b, "fairclip_inferences_running %d\n", m.runningFn())
	b.WriteString("# HELP fairclip_inferences_waiting Detections waiting in the queue for a slot.\n")
	b.WriteString("# TYPE fairclip_inferences_waiting gauge\n")
	fmt.Fprintf(&b, "fairclip_inferences_waiting %d\n", m.waitingFn())
	b.WriteString("# HELP fairclip_detect_input_errors_total Uploads the detector could not score (unreadable media, no face, ...).\n")
	b.WriteString("# TYPE fairclip_detect_input_errors_total counter\n")
	fmt.Fprintf(&b, "fairclip_detect_input_errors_total %d\n", m.failures)
	b.WriteString("# HELP fairclip_process_start_time_seconds Start time of the server since the Unix epoch.\n")
	b.WriteString("# TYPE fairclip_process_start_time_seconds gauge\n")
	fmt.Fprintf(&b, "fairclip_process_start_time_seconds %d\n", m.started.Unix())
	m.mu.Unlock()
	_, err := io.WriteString(w, b.String())
	return err
}
