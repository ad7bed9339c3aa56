package server

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Emulator-mode constants: moto's defaults, which test suites written
// against moto's server mode expect.
const (
	EmulatorAccountID = "123456789012"
	emulatorUserID    = "AKIAIOSFODNN7EXAMPLE"
)

// noAuthBudget counts the initial requests that emulator mode serves without
// authentication, as moto's INITIAL_NO_AUTH_ACTION_COUNT does: requests
// numbered below the limit skip authentication; the rest are authenticated.
type noAuthBudget struct {
	mu    sync.Mutex
	limit float64 // +Inf: authentication off
	count float64
}

func newNoAuthBudget() *noAuthBudget { return &noAuthBudget{limit: math.Inf(1)} }

// take consumes one request and reports whether it is served without
// authentication.
func (b *noAuthBudget) take() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	free := b.count < b.limit
	b.count++
	return free
}

// reset sets a new limit, restarts the count and returns the previous limit.
func (b *noAuthBudget) reset(limit float64) float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	prev := b.limit
	b.limit, b.count = limit, 0
	return prev
}

// formatLimit renders a limit the way moto echoes it (Python's str(float)):
// "inf", "3.0", "2.5", a form that parseLimit accepts back.
func formatLimit(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case v == math.Trunc(v) && math.Abs(v) < 1e16:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
}

// parseLimit accepts what Python's float() accepts for this purpose: integers,
// decimals, "inf"/"infinity" in any case, with surrounding whitespace.
func parseLimit(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(strings.TrimPrefix(s, "+")) {
	case "inf", "infinity":
		return math.Inf(1), true
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < 0 {
		return 0, false
	}
	return v, true
}

// serveMotoAPI answers the emulator's management endpoints. They exist only
// in emulator mode and never count as API requests.
func (s *Server) serveMotoAPI(w http.ResponseWriter, r *http.Request) {
	writeJSON := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	switch r.URL.Path {
	case "/moto-api/reset":
		if r.Method != http.MethodPost {
			writeJSON(http.StatusBadRequest, map[string]string{"Error": "Need to POST to reset Moto"})
			return
		}
		if err := s.reset(r.Context()); err != nil {
			s.log.Error("emulator reset failed", "err", err)
			writeJSON(http.StatusInternalServerError, map[string]string{"Error": "reset failed"})
			return
		}
		writeJSON(http.StatusOK, map[string]string{"status": "ok"})
	case "/moto-api/reset-auth":
		if r.Method != http.MethodPost {
			writeJSON(http.StatusBadRequest, map[string]string{"Error": "Need to POST to reset Moto Auth"})
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 64))
		limit, ok := parseLimit(string(body))
		if err != nil || !ok {
			writeJSON(http.StatusBadRequest, map[string]string{"Error": "the body must be a number, e.g. 0, 3, 3.0 or inf"})
			return
		}
		prev := s.noAuth.reset(limit)
		writeJSON(http.StatusOK, map[string]string{
			"status":                                "ok",
			"PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT": formatLimit(prev),
		})
	default:
		http.NotFound(w, r)
	}
}
