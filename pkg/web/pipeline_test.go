package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPipeline files an opportunity from the pipeline page (company,
// source contact and event picked by name), moves it by its form, and
// checks refusals: an empty title (no company made), an unknown stage,
// another user's card.
func TestPipeline(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe"})
	s.create(t, tok, "/v1/contacts", map[string]any{"name": "Rita Recruiter"})
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-11-20T18:00:00Z"})
	b := s.signedIn(t, "ada@example.com", tok)

	st, page := b.get("/app/pipeline")
	if st != 200 {
		t.Fatalf("pipeline: %d", st)
	}
	mustContain(t, page, `data-stage="lead"`, `data-stage="interviewing"`, "GoDays")

	// Refused: no title. Nothing written, not even the new company.
	st, page = b.post("/app/pipeline", url.Values{"title": {""}, "kind": {"job"}, "company": {"Brand New Corp"}})
	if st != 422 {
		t.Fatalf("no title: %d", st)
	}
	mustContain(t, page, `id="title-error"`, `value="Brand New Corp"`)
	var cos struct{ Items []struct{ Name string } }
	s.api(t, "GET", "/v1/companies", tok, nil, 200, &cos)
	if len(cos.Items) != 0 {
		t.Fatalf("a refused form made companies: %+v", cos.Items)
	}
	// Sent twice (a double click), the form adds one opportunity.
	sent := url.Values{"form_id": {form(page, "/app/pipeline").Get("form_id")}, "title": {"Staff engineer"}, "kind": {"job"}, "company": {"Initech"},
		"source": {"jane doe"}, "event_id": {ev}, "recruiters": {"Rita"}, "next_step": {"Send CV"}, "next_step_at": {"2026-11-27T09:00"}}
	for range 2 {
		if st, page = b.post("/app/pipeline", sent); st != 200 || !strings.Contains(page, "Added Staff engineer.") {
			t.Fatalf("new opportunity: %d", st)
		}
	}
	var list struct{ Items []map[string]any }
	s.api(t, "GET", "/v1/opportunities", tok, nil, 200, &list)
	if len(list.Items) != 1 {
		t.Fatalf("%d opportunities", len(list.Items))
	}
	o := list.Items[0]
	if o["source_contact_id"] != jane || o["source_event_id"] != ev || o["company_id"] == "" || o["stage"] != "lead" || len(o["recruiter_ids"].([]any)) != 1 ||
		o["next_step_at"] != "2026-11-27T09:00:00Z" { // the user's zone: UTC
		t.Fatalf("stored %v", o)
	}
	id := o["id"].(string)
	mustContain(t, page, `id="o-`+id+`"`, "Initech", "Jane Doe", "from GoDays", "Next: Send CV", `recruiter <a href="/app/contacts/`)

	st, page = b.post("/app/pipeline/"+id+"/stage", url.Values{"stage": {"interviewing"}})
	if st != 200 || !strings.Contains(page, "Staff engineer moved to interviewing.") {
		t.Fatalf("move: %d", st)
	}
	col := regexp.MustCompile(`(?s)data-stage="interviewing".*?</section>`).FindString(page)
	if !strings.Contains(col, `id="o-`+id+`"`) || !strings.Contains(col, "lead 24 Nov → interviewing 24 Nov") {
		t.Fatalf("the card is not in the interviewing column with its history: %s", col)
	}
	picker := regexp.MustCompile(`(?s)<select id="stage-of-` + id + `".*?</select>`).FindString(col)
	if strings.Count(picker, "<option") != 7 || strings.Count(picker, " selected") != 1 || !strings.Contains(picker, `<option value="interviewing" selected>`) {
		t.Fatalf("the card's stage picker: %s", picker)
	}
	if st, page = b.post("/app/pipeline/"+id+"/stage", url.Values{"stage": {"dreaming"}}); st != 422 || !strings.Contains(page, "Stage ") {
		t.Fatalf("an unknown stage: %d", st)
	}
	eve := s.signedIn(t, "eve@example.com", s.signup(t, "eve@example.com"))
	eve.get("/app/pipeline")
	if st, _ := eve.post("/app/pipeline/"+id+"/stage", url.Values{"stage": {"lost"}}); st != 404 {
		t.Fatalf("another user's card: %d", st)
	}
	// Picking by a name that matches several says which.
	s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Roe"})
	if st, page = b.post("/app/pipeline", url.Values{"title": {"Contract"}, "kind": {"contract"}, "source": {"jane"}}); st != 422 || !strings.Contains(page, "matches Jane Doe, Jane Roe") {
		t.Fatalf("an ambiguous source: %d", st)
	}
}

// TestPipelineSourceOfASharedName: two contacts of the exact name are not
// taken for each other: the form names both by company and asks for the
// email, which picks the one meant.
func TestPipelineSourceOfASharedName(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe"})
	other := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe", "company": "Globex", "emails": []string{"jane@globex.example"}})
	b := s.signedIn(t, "ada@example.com", tok)
	b.get("/app/pipeline")
	st, page := b.post("/app/pipeline", url.Values{"title": {"Contract"}, "kind": {"contract"}, "source": {"Jane Doe"}})
	if text := html.UnescapeString(page); st != 422 || !strings.Contains(text, "“Jane Doe” is the name of 2 contacts (") || !strings.Contains(text, "with no company") ||
		!strings.Contains(text, "at Globex") || !strings.Contains(text, "): type the email of the one you mean") {
		t.Fatalf("two of the same name: %d", st)
	}
	if st, page = b.post("/app/pipeline", url.Values{"title": {"Contract"}, "kind": {"contract"}, "source": {"jane@globex.example"}}); st != 200 ||
		!strings.Contains(page, "Added Contract.") || !strings.Contains(page, `href="/app/contacts/`+other+`"`) {
		t.Fatalf("picked by email: %d", st)
	}
}

// TestPipelineSourceOfAnExactName: a source typed as a contact's very
// name is that contact, however many others contain the name (five here,
// who sort before it and filled the text search's five places, so the
// form said "type the full name" of a name typed in full).
func TestPipelineSourceOfAnExactName(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	for _, name := range []string{"Ada Ann Lee", "Al Ann Lee", "Amy Ann Lee", "Ana Ann Lee", "Andy Ann Lee"} {
		s.create(t, tok, "/v1/contacts", map[string]any{"name": name})
	}
	ann := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Ann Lee", "company": "Initech"})
	b := s.signedIn(t, "ada@example.com", tok)
	b.get("/app/pipeline")
	st, page := b.post("/app/pipeline", url.Values{"title": {"Contract"}, "kind": {"contract"}, "source": {"ann  lee"}, "recruiters": {"Ann Lee"}})
	if st != 200 || !strings.Contains(page, "Added Contract.") {
		t.Fatalf("an exact name among five that contain it: %d %q", st, regexp.MustCompile(`class="error"[^>]*>[^<]*`).FindAllString(html.UnescapeString(page), -1))
	}
	var list struct {
		Items []struct {
			SourceContactID string   `json:"source_contact_id"`
			RecruiterIDs    []string `json:"recruiter_ids"`
		}
	}
	s.api(t, "GET", "/v1/opportunities", tok, nil, 200, &list)
	if len(list.Items) != 1 || list.Items[0].SourceContactID != ann || len(list.Items[0].RecruiterIDs) != 1 || list.Items[0].RecruiterIDs[0] != ann {
		t.Fatalf("stored %+v, want Ann Lee (%s) as source and recruiter", list.Items, ann)
	}
	// A part of a name still lists those it matches.
	if st, page = b.post("/app/pipeline", url.Values{"title": {"Other"}, "kind": {"contract"}, "source": {"Ann"}}); st != 422 || !strings.Contains(page, "matches Ada Ann Lee, Al Ann Lee") {
		t.Fatalf("a part of a name: %d", st)
	}
}

// TestNextStepNamingNoOne: an opportunity filed with a next step and no one
// to name (a speaking slot found on a website) is reminded of all the
// same: the follow-up reads as the next step and leads to its card, on
// Follow-ups and Today. Once the opportunity is lost, its card no longer
// shows a next step and the reminder is gone.
func TestNextStepNamingNoOne(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/pipeline")
	f := form(page, "/app/pipeline")
	f.Set("title", "Talk at GopherCon")
	f.Set("kind", "speaking")
	f.Set("next_step", "Submit the CFP")
	f.Set("next_step_at", "2026-11-26T09:00")
	if st, page := b.post("/app/pipeline", f); st != 200 || !strings.Contains(page, "Added Talk at GopherCon.") {
		t.Fatalf("new opportunity: %d", st)
	}
	var list struct{ Items []struct{ ID string } }
	s.api(t, "GET", "/v1/opportunities", tok, nil, 200, &list)
	id := list.Items[0].ID
	link := `<a href="/app/pipeline#o-` + id + `">Next step: Submit the CFP — Talk at GopherCon</a>`
	for _, p := range []string{"/app/followups", "/app/today"} {
		_, page := b.get(p)
		mustContain(t, page, link)
	}
	_, page = b.get("/app/followups")
	if item := regexp.MustCompile(`(?s)<li class="card row" id="f-[^"]+">.*?</li>`).FindString(page); strings.Contains(item, `name="note"`) {
		t.Errorf("the next step's note is its title, edited on its card, not here: %s", item)
	}
	if st, page := b.post("/app/pipeline/"+id+"/stage", url.Values{"stage": {"lost"}}); st != 200 || strings.Contains(page, "Next: Submit the CFP") {
		t.Fatalf("lost: %d, the card still shows its next step", st)
	}
	if _, page := b.get("/app/followups"); strings.Contains(page, "Submit the CFP") {
		t.Error("a lost opportunity's next step is still to follow up")
	}
}

// TestPipelineStagePages: a stage with more cards than the board shows
// links to that stage alone, which pages on to the rest.
func TestPipelineStagePages(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	for i := range 53 {
		s.create(t, tok, "/v1/opportunities", map[string]any{"title": fmt.Sprintf("Role %02d", i)})
		s.Clock.Add(time.Minute)
	}
	s.create(t, tok, "/v1/opportunities", map[string]any{"title": "The offer", "stage": "offer"})
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/pipeline")
	if n := strings.Count(page, `class="card opp"`); n != 51 {
		t.Fatalf("the board shows %d cards, want 50 leads and the offer", n)
	}
	m := regexp.MustCompile(`href="/app/pipeline\?stage=lead&amp;page=([^"]+)"`).FindStringSubmatch(page)
	if m == nil || strings.Contains(page, "stage=offer&amp;page=") {
		t.Fatal("no link to the other leads (or one for the offers)")
	}
	_, more := b.get("/app/pipeline?stage=lead&page=" + html.UnescapeString(m[1]))
	if n := strings.Count(more, `class="card opp"`); n != 3 || strings.Contains(more, "The offer") || !strings.Contains(more, "The whole pipeline") {
		t.Fatalf("the rest of the leads: %d cards\n%s", n, more)
	}
	seen := map[string]bool{}
	for _, p := range []string{page, more} {
		for _, t := range regexp.MustCompile(`<strong>(Role \d+)</strong>`).FindAllStringSubmatch(p, -1) {
			seen[t[1]] = true
		}
	}
	if len(seen) != 53 {
		t.Fatalf("the two pages show %d different leads, want 53", len(seen))
	}
	if st, bad := b.get("/app/pipeline?stage=lead&page=nonsense"); st != 200 || !strings.Contains(bad, "not one this page gave") {
		t.Fatalf("a made-up page: %d", st)
	}
}

// TestEditAndDeleteAnOpportunity: a pipeline card's Edit saves its title,
// next step, when it is due (typed in the user's zone) and notes, as the
// API's PATCH does, and clears the time when it is emptied; a form drawn
// before the opportunity changed elsewhere, or refused, comes back open
// with what was typed (the refused one was a redirect that lost it);
// Delete asks for its box to be ticked, then deletes. Another user's card
// is 404. The card could only be moved.
func TestEditAndDeleteAnOpportunity(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	s.api(t, "PATCH", "/v1/me", tok, map[string]any{"timezone": "Europe/Berlin"}, 200, nil)
	id := s.create(t, tok, "/v1/opportunities", map[string]any{"title": "Staff engineer", "kind": "job"})
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/pipeline")
	mustContain(t, page, `action="/app/pipeline/`+id+`/edit"`, `action="/app/pipeline/`+id+`/delete"`)

	edit := func(page string, typed map[string]string) url.Values { // the card's form as drawn on page (its hidden fields), filled in
		v := form(page, "/app/pipeline/"+id+"/edit")
		for k, x := range typed {
			v.Set(k, x)
		}
		return v
	}
	st, page := b.post("/app/pipeline/"+id+"/edit", edit(page, map[string]string{"title": "Staff engineer, platform", "next_step": "Call Jo back",
		"next_step_at": "2026-12-01T09:30", "notes": "Remote, Berlin office"}))
	if st != 200 {
		t.Fatalf("edit: %d", st)
	}
	mustContain(t, page, "Saved Staff engineer, platform.", "Next: Call Jo back · Tue 1 Dec, 09:30")
	var o struct {
		Title      string     `json:"title"`
		NextStep   string     `json:"next_step"`
		NextStepAt *time.Time `json:"next_step_at"`
		Notes      string     `json:"notes"`
	}
	s.api(t, "GET", "/v1/opportunities/"+id, tok, nil, 200, &o)
	if o.Title != "Staff engineer, platform" || o.NextStep != "Call Jo back" || o.Notes != "Remote, Berlin office" ||
		o.NextStepAt == nil || !o.NextStepAt.Equal(time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)) {
		t.Fatalf("the opportunity after the edit: %+v", o)
	}
	_, page = b.get("/app/pipeline")
	if _, page = b.post("/app/pipeline/"+id+"/edit", edit(page, map[string]string{"title": "Staff engineer, platform", "next_step": "Call Jo back"})); !strings.Contains(page, "Saved") {
		t.Fatal("clearing the time")
	}
	o.NextStepAt = nil
	s.api(t, "GET", "/v1/opportunities/"+id, tok, nil, 200, &o)
	if o.NextStepAt != nil || o.Notes != "" {
		t.Fatalf("after clearing the time and the notes: %+v", o)
	}
	_, page = b.get("/app/pipeline")
	if st, page = b.post("/app/pipeline/"+id+"/edit", edit(page, map[string]string{"title": "", "notes": "Typed, kept"})); st != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "title: is required") || !strings.Contains(page, "Typed, kept</textarea>") || !strings.Contains(page, `<details class="edit" open>`) {
		t.Fatalf("an empty title: %d\n%.3000s", st, page)
	}
	// Changed elsewhere since the form was drawn: not saved, the text kept
	// in the card; saved when sent again.
	s.Clock.Add(time.Minute)
	s.api(t, "PATCH", "/v1/opportunities/"+id, tok, map[string]any{"notes": "From the API"}, 200, nil)
	st, page = b.post("/app/pipeline/"+id+"/edit", edit(page, map[string]string{"title": "Staff engineer", "next_step": "Call Jo back", "notes": "From the desk"}))
	if st != http.StatusConflict || !strings.Contains(page, "was changed elsewhere") || !strings.Contains(page, "From the desk</textarea>") {
		t.Fatalf("a form drawn before another edit: %d\n%.3000s", st, page)
	}
	if s.api(t, "GET", "/v1/opportunities/"+id, tok, nil, 200, &o); o.Notes != "From the API" {
		t.Fatalf("the other edit's notes: %q", o.Notes)
	}
	if _, page = b.post("/app/pipeline/"+id+"/edit", edit(page, map[string]string{"title": "Staff engineer, platform", "notes": "From the desk"})); !strings.Contains(page, "Saved") {
		t.Fatalf("sent again:\n%.2000s", page)
	}
	if s.api(t, "GET", "/v1/opportunities/"+id, tok, nil, 200, &o); o.Notes != "From the desk" {
		t.Fatalf("sent again, the notes: %q", o.Notes)
	}

	eve := s.signedIn(t, "eve@example.com", s.signup(t, "eve@example.com"))
	eve.get("/app/pipeline")
	for _, action := range []string{"edit", "delete"} {
		if st, _ := eve.post("/app/pipeline/"+id+"/"+action, url.Values{"title": {"x"}, "sure": {"1"}}); st != http.StatusNotFound {
			t.Errorf("another user's %s: %d, want 404", action, st)
		}
	}

	b.get("/app/pipeline")
	if _, page = b.post("/app/pipeline/"+id+"/delete", url.Values{}); !strings.Contains(page, "Tick the box") {
		t.Fatal("deleted without the box ticked")
	}
	if _, page = b.post("/app/pipeline/"+id+"/delete", url.Values{"sure": {"1"}}); !strings.Contains(page, "Deleted Staff engineer, platform.") {
		t.Fatalf("delete:\n%.2000s", page)
	}
	s.api(t, "GET", "/v1/opportunities/"+id, tok, nil, 404, nil)
}

// TestFormsOfferTheLatestEvents: the pipeline's "Where you heard of it"
// offers the latest events, the latest first, on an account of 210 past
// events: it read the first 200 events by start, the oldest, and offered
// events of months before and not yesterday's. The contacts table's "Met
// at" offers the latest where you met someone, however many others came
// since: it offered the latest 100 events, and not the one where you met
// someone 150 days ago.
func TestFormsOfferTheLatestEvents(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	for i := 209; i >= 0; i-- {
		at := time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC).AddDate(0, 0, -i)
		ev := s.create(t, tok, "/v1/events", map[string]any{"title": fmt.Sprintf("Meetup %03d", i), "starts_at": at.Format(time.RFC3339)})
		if i == 0 || i == 5 || i == 150 {
			s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": fmt.Sprint("Met at ", i)},
				"moment": "after_talk", "met_at": at.Add(time.Hour).Format(time.RFC3339)}, 201, nil)
		}
	}
	b := s.signedIn(t, "ada@example.com", tok)
	options := func(page, id string) (out []string) {
		sel := regexp.MustCompile(`(?s)<select id="` + id + `".*?</select>`).FindString(page)
		for _, m := range regexp.MustCompile(`<option value="[^"]+"[^>]*>([^<]*)</option>`).FindAllStringSubmatch(sel, -1) {
			out = append(out, m[1])
		}
		return out
	}
	_, page := b.get("/app/pipeline")
	if got := options(page, "event_id"); len(got) == 0 || got[0] != "Meetup 000 · 23 Nov 2026" {
		t.Errorf("the pipeline offers %q first, want yesterday's Meetup 000", got[:min(len(got), 3)])
	}
	_, page = b.get("/app/contacts")
	if got, want := options(page, "f-event"), []string{"Meetup 000 · 23 Nov 2026", "Meetup 005 · 18 Nov 2026", "Meetup 150 · 26 Jun 2026"}; !slices.Equal(got, want) {
		t.Errorf("the contacts table offers %q, want %q", got[:min(len(got), 5)], want)
	}
}

// TestPipelineOffersWhereYouWent: "Where you heard of it" offers the
// events you went to first — the meetup you added, a followed evening you
// marked attended or met someone at — however many sessions a followed
// conference brought since, and then the latest others. It offered the
// latest 50 of all events: a conference's 90 sessions of last week, and
// not the meetup of two weeks ago. Someone who went to none of them is
// offered the latest 50 as before.
func TestPipelineOffersWhereYouWent(t *testing.T) {
	t.Parallel()
	var feed icsFeed
	for day := range 3 { // 16 to 18 November
		for i := range 30 {
			feed.session(fmt.Sprintf("s%d-%d", day, i), time.Date(2026, 11, 16+day, 8, 0, 0, 0, time.UTC).Add(time.Duration(i)*15*time.Minute),
				fmt.Sprintf("Session %d.%02d", 16+day, i))
		}
	}
	feed.session("attended", time.Date(2026, 11, 19, 18, 0, 0, 0, time.UTC), "Speakers night")
	feed.session("met", time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC), "Evening talk")
	feed.session("cancelled", time.Date(2026, 11, 21, 18, 0, 0, 0, time.UTC), "Called off")

	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	s.create(t, tok, "/v1/events", map[string]any{"title": "Go meetup", "starts_at": "2026-11-10T18:00:00Z"})
	feed.follow(t, s, tok, "Cloud Days")
	idOf := func(title string) string { return s.eventNamed(t, tok, title) }
	s.api(t, "PATCH", "/v1/events/"+idOf("Speakers night"), tok, map[string]any{"status": "attended"}, 200, nil)
	s.api(t, "POST", "/v1/events/"+idOf("Evening talk")+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Bo"},
		"moment": "after_talk", "met_at": "2026-11-20T19:00:00Z"}, 201, nil)
	s.api(t, "PATCH", "/v1/events/"+idOf("Called off"), tok, map[string]any{"status": "attended"}, 200, nil)
	s.api(t, "PATCH", "/v1/events/"+idOf("Called off"), tok, map[string]any{"status": "cancelled"}, 200, nil)

	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/pipeline")
	group := func(label string) (out []string) {
		g := regexp.MustCompile(`(?s)<optgroup label="` + label + `">(.*?)</optgroup>`).FindStringSubmatch(page)
		if g == nil {
			t.Fatalf("no group %q:\n%s", label, regexp.MustCompile(`(?s)<select id="event_id".*?</select>`).FindString(page))
		}
		for _, m := range regexp.MustCompile(`<option value="[^"]+"[^>]*>([^<]*)</option>`).FindAllStringSubmatch(g[1], -1) {
			out = append(out, m[1])
		}
		return out
	}
	if got, want := group("Events you went to"), []string{"Evening talk · 20 Nov 2026", "Speakers night · 19 Nov 2026", "Go meetup · 10 Nov 2026"}; !slices.Equal(got, want) {
		t.Errorf("went to: %q, want %q", got, want)
	}
	if got := group("Other events"); len(got) != 20 || got[0] != "Called off · 21 Nov 2026" || got[1] != "Session 18.29 · 18 Nov 2026" {
		t.Errorf("others: %q", got)
	}

	// Someone who only follows the calendar, and went to none of it, is
	// offered its latest 50 as they are (a first cut offered nothing).
	other := s.signup(t, "cy@example.com")
	feed.follow(t, s, other, "Cloud Days")
	_, page = s.signedIn(t, "cy@example.com", other).get("/app/pipeline")
	sel := regexp.MustCompile(`(?s)<select id="event_id".*?</select>`).FindString(page)
	if n := strings.Count(sel, "<option value=\"") - strings.Count(sel, `<option value="">`); n != 50 || strings.Contains(sel, "optgroup") ||
		!strings.Contains(sel, ">Called off · 21 Nov 2026<") {
		t.Errorf("%d offered to a follower who went to none:\n%s", n, sel)
	}
}
