package input

import (
	"testing"
	"time"
)

// TestLoadZone: a zone loads as time.LoadLocation loads it, once (the
// second ask is the same location); a name that is none is an error, and
// not kept.
func TestLoadZone(t *testing.T) {
	a, err := LoadZone("America/New_York")
	if err != nil || a.String() != "America/New_York" {
		t.Fatalf("%v, %v", a, err)
	}
	if b, _ := LoadZone("America/New_York"); b != a {
		t.Fatal("loaded again")
	}
	at := time.Date(2026, 11, 19, 14, 0, 0, 0, time.UTC)
	if at.In(a).Hour() != 9 {
		t.Fatalf("%v", at.In(a))
	}
	if _, err := LoadZone("Nowhere/Else"); err == nil {
		t.Fatal("an unknown zone loaded")
	}
	if _, kept := zones.Load("Nowhere/Else"); kept {
		t.Fatal("an unknown zone was kept")
	}
}
