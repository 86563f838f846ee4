package insights

import (
	"fmt"
	"testing"
	"time"
)

func TestMonths(t *testing.T) {
	months, first := Months(time.Date(2026, 12, 2, 16, 0, 0, 0, time.UTC), 12)
	if months[0] != "2026-01" || months[11] != "2026-12" || len(months) != 12 || !first.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("months %v from %v", months, first)
	}
	months, _ = Months(time.Date(2026, 2, 28, 23, 0, 0, 0, time.FixedZone("x", -5*3600)), 3) // 1 March UTC
	if fmt.Sprint(months) != "[2026-01 2026-02 2026-03]" {
		t.Fatalf("months across a zone: %v", months)
	}
}

func TestTrend(t *testing.T) {
	months, _ := Months(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), 12)
	counts := TopicMonths{
		"2026-01": {"go": 5, "kubernetes": 4},
		"2026-06": {"go": 2, "kubernetes": 1, "rust": 1},
		"2026-07": {"rust": 1},
		"2026-10": {"go": 1, "wasm": 2, "rust": 2},
		"2026-11": {"rust": 2, "ai": 1},
		"2026-12": {"wasm": 1},
	}
	for i := 0; i < 9; i++ { // a long tail: only 8 are drawn
		counts["2026-03"] = merge(counts["2026-03"], fmt.Sprintf("t%d", i))
	}
	tr := Trend(months, counts)
	if len(tr.Series) != TrendTop || tr.Series[0].Name != "go" || tr.Series[0].Total != 8 || tr.Series[1].Name != "rust" || tr.Series[2].Name != "kubernetes" {
		t.Fatalf("series %+v", tr.Series)
	}
	if got := tr.Series[0].Counts; got[0] != 5 || got[5] != 2 || got[9] != 1 || got[11] != 0 {
		t.Fatalf("go by month %v", got)
	}
	// New: wasm and ai only in the last three months; rising: rust 4 against 1 in the three before.
	if fmt.Sprint(tr.New) != "[wasm ai]" && fmt.Sprint(tr.New) != "[ai wasm]" {
		t.Fatalf("new %v", tr.New)
	}
	if fmt.Sprint(tr.Rising) != "[rust]" {
		t.Fatalf("rising %v", tr.Rising)
	}
	if empty := Trend(months, nil); len(empty.Series) != 0 || empty.New == nil {
		t.Fatalf("no topics: %+v", empty)
	}
}

func merge(m map[string]int, k string) map[string]int {
	if m == nil {
		m = map[string]int{}
	}
	m[k]++
	return m
}
