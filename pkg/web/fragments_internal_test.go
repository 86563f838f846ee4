package web

import (
	"html/template"
	"strings"
	"testing"
)

// TestFragments: a fragment is drawn once for the same data and again for
// any changed field (strings split differently included), its text is
// escaped as the template's own, and a type whose values could change
// under one digest is refused at start.
func TestFragments(t *testing.T) {
	type item struct {
		A, B string
		N    int
		On   bool
		Tags []string
	}
	tmpl := template.Must(template.New("t").Parse(`{{define "item"}}<p title="{{.A}}">{{.B}} {{.N}} {{.On}} {{range .Tags}}[{{.}}]{{end}}</p>{{end}}`))
	f := newFragments(tmpl, "item", item{}, 1<<20)
	first := item{A: "ab", B: "c<d>", N: 1, Tags: []string{"x"}}
	h, err := f.draw(first)
	if err != nil {
		t.Fatal(err)
	}
	if want := `<p title="ab">c&lt;d&gt; 1 false [x]</p>`; string(h) != want {
		t.Fatalf("drew %s, want %s", h, want)
	}
	if again, _ := f.draw(first); again != h || len(f.m) != 1 {
		t.Fatalf("the same data drew %s and kept %d fragments", again, len(f.m))
	}
	for _, changed := range []item{
		{A: "a", B: "bc<d>", N: 1, Tags: []string{"x"}},
		{A: "ab", B: "c<d>", N: 2, Tags: []string{"x"}},
		{A: "ab", B: "c<d>", N: 1, On: true, Tags: []string{"x"}},
		{A: "ab", B: "c<d>", N: 1, Tags: []string{"x", ""}},
		{A: "ab", B: "c<d>", N: 1, Tags: []string{"y"}},
	} {
		got, err := f.draw(changed)
		if err != nil {
			t.Fatal(err)
		}
		if got == h {
			t.Errorf("%+v drew what %+v did: %s", changed, first, got)
		}
	}
	if len(f.m) != 6 {
		t.Errorf("kept %d fragments, want 6", len(f.m))
	}
	// Past its bound it starts again empty.
	small := newFragments(tmpl, "item", item{}, len(h)+1)
	small.draw(first)
	small.draw(item{A: "other"})
	if len(small.m) != 1 || small.size > len(h)+1 {
		t.Errorf("over its bound it keeps %d fragments, %d bytes", len(small.m), small.size)
	}
	for _, zero := range []any{struct{ P *string }{}, struct{ M map[string]string }{}} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), "cannot be digested") {
					t.Errorf("%T: %v, want a refusal", zero, r)
				}
			}()
			newFragments(tmpl, "item", zero, 1<<20)
		}()
	}
}
