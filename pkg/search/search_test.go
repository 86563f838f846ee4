package search_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/rapport-crm/rapport/pkg/search"
)

func TestFoldAndTerms(t *testing.T) {
	for in, want := range map[string]string{
		"José's Kubernetes-talk":     "[jose s kubernetes talk]",
		"NÚÑEZ  Zoë Ødegaard":        "[nunez zoe odegaard]",
		"Straße, Łódź; Æsir":         "[strasse lodz aesir]",
		`"ada*" OR {"$ne": 1} .* ()`: "[ada or ne 1]",
		"":                           "[]",
	} {
		if got := fmt.Sprint(search.Fold(in)); got != want {
			t.Errorf("Fold(%q) = %s, want %s", in, got, want)
		}
	}
	if got := fmt.Sprint(search.Terms("go Go GO rust a b c d e f g h i")); got != "[go rust a b c d e f]" {
		t.Errorf("Terms: %s (each once, at most 8)", got)
	}
}

func TestAltWords(t *testing.T) {
	for in, want := range map[string]string{
		"Jan Sørensen, Straße 5":  "sorensen strasse",
		"José Núñez talks Kube":   "", // unicode61 folds these itself
		"Łukasz at Đakovo, Œuvre": "lukasz dakovo oeuvre",
		"":                        "",
	} {
		if got := search.AltWords(in); got != want {
			t.Errorf("AltWords(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPrefixes(t *testing.T) {
	if got := fmt.Sprint(search.Prefixes("Go", "José")); got != "[g go j jo jos jose]" {
		t.Errorf("Prefixes = %s", got)
	}
	long := search.Prefixes("internationalization")
	if last := long[len(long)-1]; len([]rune(last)) != search.MaxPrefix {
		t.Errorf("longest prefix %q, want %d letters", last, search.MaxPrefix)
	}
}

func TestRankAndSnippet(t *testing.T) {
	name := search.Text{Name: "Flame graphs", Body: "asked about pprof"}
	body := search.Text{Name: "", Body: "sent the flame graph slides"}
	a, ok1 := search.Rank([]string{"flame"}, name)
	b, ok2 := search.Rank([]string{"flame"}, body)
	if !ok1 || !ok2 || a <= b {
		t.Errorf("a name match %v must outrank a body match %v", a, b)
	}
	if _, ok := search.Rank([]string{"flame", "kafka"}, name); ok {
		t.Error("every term is required")
	}
	if _, ok := search.Rank([]string{"flames"}, name); ok {
		t.Error("a term longer than the word matched")
	}
	text := search.Text{Body: "one two three four five six seven eight nine ten eleven twelve thirteen fourteen flame sixteen"}
	if got := search.Snippet([]string{"flame"}, text); got != "…eleven twelve thirteen fourteen flame sixteen" {
		t.Errorf("Snippet = %q", got)
	}
	// As written: punctuation kept, line breaks as spaces, folded letters
	// matched.
	text = search.Text{Name: "Jan", Body: "Mail jan@sørensen.example;\nlives on Hauptstraße 5, Łódź."}
	if got := search.Snippet([]string{"hauptstrasse"}, text); got != "…sørensen.example; lives on Hauptstraße 5, Łódź" {
		t.Errorf("Snippet = %q", got)
	}
}

// TestFoldConcurrently folds from many goroutines at once, as requests
// do (run with -race).
func TestFoldConcurrently(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				if got := fmt.Sprint(search.Fold("José Núñez")); got != "[jose nunez]" {
					t.Errorf("Fold = %s", got)
					return
				}
			}
		}()
	}
	wg.Wait()
}
