package chart

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// parse checks svg is well-formed XML and counts its elements by name.
func parse(t *testing.T, svg string) map[string]int {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	n := map[string]int{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return n
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok {
			n[se.Name.Local]++
		}
	}
}

func TestLines(t *testing.T) {
	svg := string(Lines("hot", "Hot topics", []string{"2026-01", "2026-02", "2026-03"},
		[]Series{{"go", []int{1, 4, 2}}, {`<script>alert(1)</script> & "wasm"`, []int{0, 0, 3}}}))
	n := parse(t, svg)
	if n["polyline"] != 2 || n["circle"] != 6 || n["svg"] != 1 {
		t.Fatalf("elements %v", n)
	}
	for _, want := range []string{`role="img" aria-labelledby="hot"`, `<title id="hot">Hot topics</title>`, `&lt;script&gt;`, `class="c1"`, `go, 2026-02: 4`} {
		if !strings.Contains(svg, want) {
			t.Errorf("lacks %q", want)
		}
	}
	if strings.Contains(svg, "<script>") {
		t.Fatal("a name was not escaped")
	}
	// The highest point is at the top of the plot, zero on the axis.
	if !strings.Contains(svg, `>4</text>`) {
		t.Error("the top value is not labelled")
	}
	if empty := string(Lines("e", "Empty", nil, nil)); !strings.Contains(empty, "Nothing to draw yet") {
		t.Error("an empty chart says so")
	} else {
		parse(t, empty)
	}
}

func TestBars(t *testing.T) {
	svg := string(Bars("p", "Pipeline", []string{"lead", "a very long event title that goes on and on"}, []int{3, 0}))
	n := parse(t, svg)
	if n["rect"] != 2 {
		t.Fatalf("elements %v", n)
	}
	if !strings.Contains(svg, `a very long event title t…`) || !strings.Contains(svg, `lead: 3`) || !strings.Contains(svg, `width="0.0"`) {
		t.Fatalf("bars: %s", svg)
	}
	for i := 0; i < 10; i++ { // colours cycle
		if i >= Colours && !strings.Contains(string(Bars("x", "x", make([]string, i+1), make([]int, i+1))), `class="c0"`) {
			t.Fatal("colour classes do not cycle")
		}
	}
}
