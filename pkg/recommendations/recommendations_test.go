package recommendations_test

import (
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/recommendations"
)

// TestRules: a recommendation's fields, tidied or refused field by field.
func TestRules(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		fields     []string
		want       recommendations.Recommendation
	}{
		{"OK", `{"title": " Concurrency in Go ", "url": "https://example.com/b", "by": " Ada ", "where": "GopherCon", "tags": ["go", "Go", " "], "notes": "ch. 4"}`, nil,
			recommendations.Recommendation{Title: "Concurrency in Go", URL: "https://example.com/b", By: "Ada", Where: "GopherCon", Tags: []string{"go"}, Notes: "ch. 4"}},
		{"OKTitleAlone", `{"title": "SICP"}`, nil, recommendations.Recommendation{Title: "SICP", Tags: []string{}}},
		{"OKDone", `{"title": "SICP", "done": true}`, nil, recommendations.Recommendation{Title: "SICP", Tags: []string{}, Done: true}},
		{"ErrNoTitle", `{"title": "  ", "by": "Ada"}`, []string{"title"}, recommendations.Recommendation{}},
		{"ErrNotAWebURL", `{"title": "x", "url": "javascript:alert(1)"}`, []string{"url"}, recommendations.Recommendation{}},
		{"ErrTooLong", `{"title": "` + strings.Repeat("x", 201) + `", "by": "` + strings.Repeat("y", 201) + `", "where": "` + strings.Repeat("z", 201) + `"}`,
			[]string{"title", "by", "where"}, recommendations.Recommendation{}},
		{"ErrNUL", `{"title": "x", "notes": "a\u0000b"}`, []string{"notes"}, recommendations.Recommendation{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := recommendations.Kind.Decode([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			err = recommendations.Kind.Check(r)
			var got []string
			for _, f := range apperr.FieldsOf(err) {
				got = append(got, f.Field)
			}
			if strings.Join(got, " ") != strings.Join(tc.fields, " ") {
				t.Fatalf("errors on %v (%v), want %v", got, err, tc.fields)
			}
			if err == nil && (r.Title != tc.want.Title || r.URL != tc.want.URL || r.By != tc.want.By || r.Where != tc.want.Where ||
				strings.Join(r.Tags, ",") != strings.Join(tc.want.Tags, ",") || r.Tags == nil || r.Notes != tc.want.Notes || r.Done != tc.want.Done) {
				t.Fatalf("tidied to %+v, want %+v", *r, tc.want)
			}
		})
	}
	if _, err := recommendations.Kind.Decode([]byte(recommendations.Kind.Example)); err != nil {
		t.Fatalf("the example: %v", err)
	}
}
