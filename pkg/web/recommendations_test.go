package web_test

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestRecommendations: the desk's list adds a recommendation (once, sent
// twice), refuses one without a title next to its field with what was
// typed, ticks one off and back, edits it — unless it changed since the
// form was drawn — and deletes it once its box is ticked; what the pages
// write the API reads, and another user's is 404.
func TestRecommendations(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	b := s.signedIn(t, "ada@example.com", tok)

	_, page := b.get("/app/today")
	mustContain(t, page, `<a href="/app/recommendations" >Recommended</a>`)
	_, page = b.get("/app/recommendations")
	mustContain(t, page, "Recommended to you", "Nothing yet.", `<a href="/app/recommendations" aria-current="page">Recommended</a>`)
	form := url.Values{"form_id": {b.hidden(page, "form_id")}, "title": {"Concurrency in Go"}, "url": {"https://example.com/book"},
		"by": {"Jane Doe"}, "where": {"GoDays"}, "tags": {"go, books"}, "notes": {"chapter 4"}}
	for range 2 {
		if st, page := b.post("/app/recommendations", form); st != 200 || !strings.Contains(page, "Added Concurrency in Go.") {
			t.Fatalf("add: %d %s", st, page)
		}
	}
	var list struct{ Items []recommendationRow }
	s.api(t, "GET", "/v1/recommendations", tok, nil, 200, &list)
	if len(list.Items) != 1 {
		t.Fatalf("sent twice, added %d", len(list.Items))
	}
	r := list.Items[0]
	if r.By != "Jane Doe" || r.Where != "GoDays" || strings.Join(r.Tags, ",") != "go,books" || r.URL != "https://example.com/book" || r.Done {
		t.Fatalf("added %+v", r)
	}
	_, page = b.get("/app/recommendations")
	mustContain(t, page, "from Jane Doe, at GoDays", `href="https://example.com/book" rel="noopener noreferrer"`)

	w := &recommendationScene{s: s, b: b, tok: tok, r: r}
	t.Run("ErrNoTitle", w.errNoTitle)
	t.Run("TickedOffAndBack", w.tickedOffAndBack)
	t.Run("Edited", w.edited)
	t.Run("ErrAnotherUsers", w.errAnotherUsers)
	t.Run("TickedOnAnOlderPage", w.tickedOnAnOlderPage)
	t.Run("Deleted", w.deleted)
}

// recommendationScene is what TestRecommendations' steps share: the
// server, Ada's browser and token, and her recommendation.
type recommendationScene struct {
	s   *server
	b   *browser
	tok string
	r   recommendationRow
}

// recommendationRow is a recommendation as the API lists it.
type recommendationRow struct {
	ID, Title, URL, By, Where, Notes string
	Tags                             []string
	Done                             bool
}

// errNoTitle: one without a title comes back with each error next to its
// field and what was typed.
func (w *recommendationScene) errNoTitle(t *testing.T) {
	b := w.b
	_, page := b.get("/app/recommendations")
	st, page := b.post("/app/recommendations", url.Values{"form_id": {b.hidden(page, "form_id")}, "title": {" "}, "by": {"Kim"}, "url": {"ftp://x"}})
	if st != 422 || !strings.Contains(page, `id="title-error"`) || !strings.Contains(page, `id="url-error"`) || !strings.Contains(page, `value="Kim"`) {
		t.Fatalf("no title: %d %s", st, page)
	}
}

// tickedOffAndBack: ticked off, the page asks to tell whoever recommended
// it; ticked back, it is to do again.
func (w *recommendationScene) tickedOffAndBack(t *testing.T) {
	s, b, tok, r := w.s, w.b, w.tok, w.r
	if _, page := b.post("/app/recommendations/"+r.ID+"/done", url.Values{"done": {"1"}}); !strings.Contains(page, "Tell Jane Doe what you made of it?") {
		t.Fatalf("done: %s", page)
	}
	var got struct{ Done bool }
	if s.api(t, "GET", "/v1/recommendations/"+r.ID, tok, nil, 200, &got); !got.Done {
		t.Fatal("not done")
	}
	b.post("/app/recommendations/"+r.ID+"/done", url.Values{"done": {"0"}})
	if s.api(t, "GET", "/v1/recommendations/"+r.ID, tok, nil, 200, &got); got.Done {
		t.Fatal("still done")
	}
}

// edited: the edit form saves, unless the recommendation changed
// elsewhere since it was drawn (409, the text kept).
func (w *recommendationScene) edited(t *testing.T) {
	s, b, tok, r := w.s, w.b, w.tok, w.r
	_, page := b.get("/app/recommendations/" + r.ID)
	mustContain(t, page, "Recommended by Jane Doe at GoDays", `value="go, books"`)
	stamp := b.hidden(page, "updated_at")
	s.Clock.Add(1e9)
	s.api(t, "PATCH", "/v1/recommendations/"+r.ID, tok, map[string]any{"notes": "from the API"}, 200, nil)
	st, page := b.post("/app/recommendations/"+r.ID+"/edit", url.Values{"updated_at": {stamp}, "title": {"Mine"}})
	if st != 409 || !strings.Contains(page, "was changed elsewhere") || !strings.Contains(page, `value="Mine"`) {
		t.Fatalf("a stale form: %d %s", st, page)
	}
	_, page = b.get("/app/recommendations/" + r.ID)
	st, page = b.post("/app/recommendations/"+r.ID+"/edit", url.Values{"updated_at": {b.hidden(page, "updated_at")}, "title": {"Concurrency in Go, 2nd ed."},
		"by": {"Jane"}, "tags": {"go"}, "done": {"1"}})
	if st != 200 || !strings.Contains(page, "Saved Concurrency in Go, 2nd ed.") {
		t.Fatalf("save: %d %s", st, page)
	}
	var got struct {
		Title, By, Notes string
		Done             bool
	}
	if s.api(t, "GET", "/v1/recommendations/"+r.ID, tok, nil, 200, &got); got.Title != "Concurrency in Go, 2nd ed." || got.By != "Jane" || got.Notes != "" || !got.Done {
		t.Fatalf("saved %+v", got)
	}
}

// errAnotherUsers: another user's recommendation is 404 and not listed.
func (w *recommendationScene) errAnotherUsers(t *testing.T) {
	s, r := w.s, w.r
	eve := s.signedIn(t, "eve@example.com", s.signup(t, "eve@example.com"))
	if st, _ := eve.get("/app/recommendations/" + r.ID); st != 404 {
		t.Fatalf("another user's: %d", st)
	}
	if _, page := eve.get("/app/recommendations"); strings.Contains(page, "Concurrency") {
		t.Fatal("another user's are listed")
	}
}

// tickedOnAnOlderPage: a tick on the second page of the list returns
// to the second page.
func (w *recommendationScene) tickedOnAnOlderPage(t *testing.T) {
	s, b, tok, r := w.s, w.b, w.tok, w.r
	// 50 newer ones push the first to the second page; ticked there, it
	// is the second page that comes back.
	for i := range 50 {
		s.create(t, tok, "/v1/recommendations", map[string]any{"title": fmt.Sprintf("Newer %02d", i)})
	}
	_, page := b.get("/app/recommendations")
	next := regexp.MustCompile(`href="/app/recommendations\?after=([^"]+)"`).FindStringSubmatch(page)
	if next == nil {
		t.Fatal("no older page")
	}
	after := html.UnescapeString(next[1])
	_, page = b.get("/app/recommendations?after=" + after)
	mustContain(t, page, `action="/app/recommendations/`+r.ID+`/done?after=`)
	_, page = b.post("/app/recommendations/"+r.ID+"/done?after="+url.QueryEscape(after), url.Values{"done": {"1"}})
	if !strings.Contains(page, "Done: Concurrency in Go") || strings.Contains(page, "Newer 49") {
		t.Fatalf("ticked on the older page, came back to another: %s", page)
	}
}

// deleted: deleted once its box is ticked.
func (w *recommendationScene) deleted(t *testing.T) {
	s, b, tok, r := w.s, w.b, w.tok, w.r
	if _, page := b.post("/app/recommendations/"+r.ID+"/delete", url.Values{}); !strings.Contains(page, "Tick the box") {
		t.Fatalf("unticked: %s", page)
	}
	if _, page := b.post("/app/recommendations/"+r.ID+"/delete", url.Values{"sure": {"1"}}); !strings.Contains(page, "Deleted Concurrency in Go, 2nd ed.") {
		t.Fatalf("delete: %s", page)
	}
	s.api(t, "GET", "/v1/recommendations/"+r.ID, tok, nil, 404, nil)
}
