package api_test

import (
	"fmt"
	"strings"
	"testing"
)

// followupsOf returns the contact's follow-ups (any status) of kind opportunity.
func followupsOf(t *testing.T, s *TestServer, tok, contactID string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, it := range s.Do(t, "GET", "/v1/followups?contact_id="+contactID, tok, nil).JSON(t)["items"].([]any) {
		if f := it.(map[string]any); f["kind"] == "opportunity" {
			out = append(out, f)
		}
	}
	return out
}

// TestOpportunities: stages and their history, the next step as a
// follow-up (made, moved, handed on, cancelled), filters, the pipeline in
// insights, references cleared on delete, backups, and isolation.
func TestOpportunities(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, eve := s.MustSignup(t, "eve@example.com")
	contact := func(name, company string) string {
		return s.MustCreateContact(t, tok, map[string]any{"name": name, "company": company})
	}
	jane, rick, rita := contact("Jane", "Acme"), contact("Rick Recruiter", "Hunters"), contact("Rita", "Hunters")
	acme := s.Do(t, "GET", "/v1/contacts/"+jane, tok, nil).JSON(t)["company_id"].(string)
	ev := s.MustCreateEvent(t, tok, map[string]any{"title": "Go meetup", "starts_at": "2026-11-20T18:00:00Z"})

	r := s.Do(t, "POST", "/v1/opportunities", tok, map[string]any{"title": "Staff engineer", "company_id": acme, "source_contact_id": jane,
		"source_event_id": ev, "recruiter_ids": []string{rick}, "next_step": "Send CV", "next_step_at": "2026-11-27T09:00:00Z"})
	MustStatus(t, r, 201)
	opp := r.JSON(t)
	id := opp["id"].(string)
	if opp["stage"] != "lead" || opp["kind"] != "job" || len(opp["history"].([]any)) != 1 {
		t.Fatalf("new opportunity: %v", opp)
	}
	fs := followupsOf(t, s, tok, jane)
	if len(fs) != 1 || fs[0]["status"] != "pending" || fs[0]["due_at"] != "2026-11-27T09:00:00Z" || fs[0]["opportunity_id"] != id ||
		!strings.Contains(fs[0]["note"].(string), "Send CV") {
		t.Fatalf("next step follow-up: %v", fs)
	}
	fid := fs[0]["id"]

	// A stage move is history; a new time moves the same follow-up.
	r = s.Do(t, "PATCH", "/v1/opportunities/"+id, tok, map[string]any{"stage": "interviewing", "next_step": "Tech interview", "next_step_at": "2026-12-02T14:00:00Z"})
	MustStatus(t, r, 200)
	h := r.JSON(t)["history"].([]any)
	if len(h) != 2 || h[1].(map[string]any)["stage"] != "interviewing" {
		t.Fatalf("history: %v", h)
	}
	MustStatus(t, s.Do(t, "PATCH", "/v1/opportunities/"+id, tok, map[string]any{"notes": "team of 6"}), 200)
	if h := s.Do(t, "GET", "/v1/opportunities/"+id, tok, nil).JSON(t)["history"].([]any); len(h) != 2 {
		t.Fatalf("a change without a new stage added history: %v", h)
	}
	fs = followupsOf(t, s, tok, jane)
	if len(fs) != 1 || fs[0]["id"] != fid || fs[0]["due_at"] != "2026-12-02T14:00:00Z" || !strings.Contains(fs[0]["note"].(string), "Tech interview") {
		t.Fatalf("moved next step: %v", fs)
	}

	w := &oppScenario{s: s, tok: tok, eve: eve, jane: jane, rick: rick, rita: rita, acme: acme, ev: ev, id: id}
	w.refusals(t)
	w.moreAndFilters(t)
	w.pipeline(t)
	w.backup(t)
	w.deletes(t)
}

// oppScenario is what TestOpportunities' steps share: the server, Ada's
// and Eve's tokens, Ada's contacts, company and event, and her two
// opportunities.
type oppScenario struct {
	s                                   *TestServer
	tok, eve                            string
	jane, rick, rita, acme, ev, id, adv string
}

// refusals: bad input names its field; another user's ids are 404, in the
// path, a body and a filter.
func (w *oppScenario) refusals(t *testing.T) {
	s, tok, eve, jane, rick, acme, ev, id := w.s, w.tok, w.eve, w.jane, w.rick, w.acme, w.ev, w.id
	// Bad input names its field.
	for field, body := range map[string]map[string]any{
		"kind": {"title": "x", "kind": "gig"}, "stage": {"title": "x", "stage": "won"}, "next_step_at": {"title": "x", "next_step_at": "soon"},
		"title": {"kind": "job"}, "recruiter_ids[0]": {"title": "x", "recruiter_ids": []string{""}},
	} {
		r := s.Do(t, "POST", "/v1/opportunities", tok, body)
		if r.Status != 422 || !strings.Contains(string(r.Body), `"`+field+`"`) {
			t.Errorf("%s: %d %s", field, r.Status, r.Body)
		}
	}

	// Another user's ids are 404, in the path, in a body and in a filter.
	for field, body := range map[string]map[string]any{
		"company_id": {"title": "x", "company_id": acme}, "source_event_id": {"title": "x", "source_event_id": ev},
		"source_contact_id": {"title": "x", "source_contact_id": jane}, "recruiter_ids[0]": {"title": "x", "recruiter_ids": []string{rick}},
	} {
		r := s.Do(t, "POST", "/v1/opportunities", eve, body)
		if r.Status != 404 || !strings.Contains(string(r.Body), field) {
			t.Errorf("Eve with Ada's %s: %d %s", field, r.Status, r.Body)
		}
		if r := s.Do(t, "PATCH", "/v1/opportunities/"+id, tok, map[string]any{"company_id": "nope" + field}); r.Status != 404 {
			t.Errorf("unknown company_id in a patch: %d", r.Status)
		}
	}
	for _, m := range []string{"GET", "PATCH", "DELETE"} {
		var body any
		if m == "PATCH" {
			body = map[string]any{"stage": "lost"}
		}
		MustStatus(t, s.Do(t, m, "/v1/opportunities/"+id, eve, body), 404)
	}
	MustStatus(t, s.Do(t, "GET", "/v1/opportunities?company_id="+acme, eve, nil), 404)
	MustStatus(t, s.Do(t, "GET", "/v1/opportunities?contact_id="+jane, eve, nil), 404)
	if n := len(s.Do(t, "GET", "/v1/opportunities", eve, nil).JSON(t)["items"].([]any)); n != 0 {
		t.Fatalf("Eve lists %d opportunities", n)
	}
}

// moreAndFilters: one opportunity through a recruiter only, one lost, and
// the list's filters.
func (w *oppScenario) moreAndFilters(t *testing.T) {
	s, tok, jane, rick, rita, acme, ev := w.s, w.tok, w.jane, w.rick, w.rita, w.acme, w.ev
	// More: one through a recruiter only, one lost.
	r := s.Do(t, "POST", "/v1/opportunities", tok, map[string]any{"title": "Advisor", "kind": "advisory", "recruiter_ids": []string{rick, rita},
		"next_step": "Call", "next_step_at": "2026-11-30T10:00:00Z", "source_event_id": ev})
	MustStatus(t, r, 201)
	adv := r.JSON(t)["id"].(string)
	if fs := followupsOf(t, s, tok, rick); len(fs) != 1 || fs[0]["opportunity_id"] != adv {
		t.Fatalf("the recruiter's next step: %v", fs)
	}
	r = s.Do(t, "POST", "/v1/opportunities", tok, map[string]any{"title": "Talk at GopherCon", "kind": "speaking", "source_contact_id": jane, "stage": "lost"})
	MustStatus(t, r, 201)
	for q, want := range map[string]int{"": 3, "?stage=lost": 1, "?stage=interviewing": 1, "?company_id=" + acme: 1, "?contact_id=" + rick: 2, "?contact_id=" + jane: 2} {
		if n := len(s.Do(t, "GET", "/v1/opportunities"+q, tok, nil).JSON(t)["items"].([]any)); n != want {
			t.Errorf("list %q: %d, want %d", q, n, want)
		}
	}
	MustStatus(t, s.Do(t, "GET", "/v1/opportunities?stage=won", tok, nil), 422)
	w.adv = adv
}

// pipeline: by stage, and which meetups and people led somewhere.
func (w *oppScenario) pipeline(t *testing.T) {
	s, tok, jane, rick := w.s, w.tok, w.jane, w.rick
	// The pipeline: by stage, and which meetups and people led somewhere.
	ins := s.Do(t, "GET", "/v1/insights", tok, nil).JSON(t)["pipeline"].(map[string]any)
	byStage := ins["by_stage"].(map[string]any)
	if byStage["interviewing"] != 1.0 || byStage["lead"] != 1.0 || byStage["lost"] != 1.0 || byStage["offer"] != 0.0 {
		t.Fatalf("by_stage: %v", byStage)
	}
	src := ins["sources"].([]any)
	if len(src) != 1 || src[0].(map[string]any)["title"] != "Go meetup" || src[0].(map[string]any)["opportunities"] != 2.0 {
		t.Fatalf("sources: %v", src)
	}
	people := fmt.Sprint(ins["contacts"])
	if !strings.Contains(people, "Jane") || !strings.HasPrefix(people, "[map[contact_id:"+jane) && !strings.HasPrefix(people, "[map[contact_id:"+rick) {
		t.Fatalf("contacts: %v", people)
	}
	top := ins["contacts"].([]any)[0].(map[string]any)
	if top["opportunities"] != 2.0 {
		t.Fatalf("top contact: %v", top)
	}
}

// backup: a backup carries opportunities, with their references and next
// steps.
func (w *oppScenario) backup(t *testing.T) {
	s, tok, jane, acme, id := w.s, w.tok, w.jane, w.acme, w.id
	// A backup carries opportunities, with their references and next steps.
	backup := s.Do(t, "GET", "/v1/export", tok, nil)
	MustStatus(t, backup, 200)
	_, carl := s.MustSignup(t, "carl@example.com")
	MustStatus(t, s.Do(t, "POST", "/v1/import", carl, backup.Body), 200)
	theirs := s.Do(t, "GET", "/v1/opportunities?stage=interviewing", carl, nil).JSON(t)["items"].([]any)
	if len(theirs) != 1 {
		t.Fatalf("restored: %v", theirs)
	}
	o := theirs[0].(map[string]any)
	if o["id"] == id || o["company_id"] == acme || o["company_id"] == "" || o["source_contact_id"] == jane || len(o["history"].([]any)) != 2 {
		t.Fatalf("restored opportunity: %v", o)
	}
	if fs := followupsOf(t, s, carl, o["source_contact_id"].(string)); len(fs) != 1 || fs[0]["opportunity_id"] != o["id"] || fs[0]["status"] != "pending" {
		t.Fatalf("restored next steps: %v", fs)
	}
}

// deletes: the next step handed on and cancelled as people go; references
// cleared.
func (w *oppScenario) deletes(t *testing.T) {
	s, tok, jane, rick, rita, acme, ev, id, adv := w.s, w.tok, w.jane, w.rick, w.rita, w.acme, w.ev, w.id, w.adv
	// Deleting the source contact hands the next step to the first
	// recruiter; deleting the last person leaves it about no one, still
	// due (and nudged).
	MustStatus(t, s.Do(t, "DELETE", "/v1/contacts/"+jane, tok, nil), 204)
	got := s.Do(t, "GET", "/v1/opportunities/"+id, tok, nil).JSON(t)
	if got["source_contact_id"] != "" {
		t.Fatalf("after deleting Jane: %v", got)
	}
	var mine []map[string]any
	for _, f := range followupsOf(t, s, tok, rick) {
		if f["opportunity_id"] == id && f["status"] == "pending" {
			mine = append(mine, f)
		}
	}
	if len(mine) != 1 || mine[0]["due_at"] != "2026-12-02T14:00:00Z" {
		t.Fatalf("the next step after Jane was deleted: %v", mine)
	}
	MustStatus(t, s.Do(t, "DELETE", "/v1/contacts/"+rick, tok, nil), 204)
	got = s.Do(t, "GET", "/v1/opportunities/"+adv, tok, nil).JSON(t)
	if fmt.Sprint(got["recruiter_ids"]) != "["+rita+"]" {
		t.Fatalf("recruiters after deleting Rick: %v", got["recruiter_ids"])
	}
	if fs := followupsOf(t, s, tok, rita); len(fs) != 1 || fs[0]["opportunity_id"] != adv {
		t.Fatalf("the next step handed to Rita: %v", fs)
	}
	var alone []any
	for _, f := range s.Do(t, "GET", "/v1/followups?status=pending", tok, nil).JSON(t)["items"].([]any) {
		if f := f.(map[string]any); f["opportunity_id"] == id {
			alone = append(alone, f)
		}
	}
	if len(alone) != 1 || alone[0].(map[string]any)["contact_id"] != "" || alone[0].(map[string]any)["due_at"] != "2026-12-02T14:00:00Z" {
		t.Fatalf("the next step after its last person was deleted: %v", alone)
	}
	// Closing it cancels its next step.
	MustStatus(t, s.Do(t, "PATCH", "/v1/opportunities/"+adv, tok, map[string]any{"stage": "declined"}), 200)
	if fs := followupsOf(t, s, tok, rita); len(fs) != 1 || fs[0]["status"] != "cancelled" {
		t.Fatalf("after declining: %v", fs)
	}
	// Deleting the company and the event clears them.
	MustStatus(t, s.Do(t, "DELETE", "/v1/companies/"+acme, tok, nil), 204)
	MustStatus(t, s.Do(t, "DELETE", "/v1/events/"+ev, tok, nil), 204)
	got = s.Do(t, "GET", "/v1/opportunities/"+id, tok, nil).JSON(t)
	if got["company_id"] != "" || got["source_event_id"] != "" {
		t.Fatalf("after deleting the company and the event: %v", got)
	}
	MustStatus(t, s.Do(t, "DELETE", "/v1/opportunities/"+id, tok, nil), 204)
	MustStatus(t, s.Do(t, "GET", "/v1/opportunities/"+id, tok, nil), 404)
}
