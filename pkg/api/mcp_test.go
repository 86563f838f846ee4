package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/tooltest"
	"github.com/rapport-crm/rapport/pkg/web"
)

// bearer adds the API token to every request of an MCP client.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// mustMCP connects the SDK's own client to the server's /mcp with token.
func mustMCP(t *testing.T, s *TestServer, token string) *mcp.ClientSession {
	return mustMCPSession(t, s, token)
}

func mustMCPSession(t testing.TB, s *TestServer, token string) *mcp.ClientSession {
	t.Helper()
	client := mcp.NewClient(&mcp.Implementation{Name: "rapport-test", Version: "1"}, nil)
	cs, err := client.Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: s.URL + "/mcp",
		HTTPClient: &http.Client{Transport: bearer{token, http.DefaultTransport}}, MaxRetries: -1}, nil)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// call calls a tool; it fails the test on a protocol error and returns
// the structured answer and whether the tool reported an error (with its text).
func call(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) (map[string]any, string) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	var text []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			text = append(text, tc.Text)
		}
	}
	if res.IsError {
		return nil, strings.Join(text, " ")
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(strings.Join(text, "")), &out); err != nil {
		t.Fatalf("%s answered %q: %v", tool, text, err)
	}
	return out, ""
}

// TestMCP drives /mcp with the SDK's client: the eight tools are listed with
// their schemas, each works as its API route does, errors are tool errors
// naming the field, another user's ids are refused, a repeated
// idempotency key logs once, and a missing or wrong token gets nothing.
func TestMCP(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, eve := s.MustSignup(t, "eve@example.com")
	ev := s.MustCreateEvent(t, tok, map[string]any{"title": "GoDays Berlin", "starts_at": "2026-11-24T18:30:00Z"})
	grace := s.MustCreateContact(t, tok, map[string]any{"name": "Grace Hopper", "emails": []string{"grace@navy.example"}})
	evesContact := s.MustCreateContact(t, eve, map[string]any{"name": "Mallory"})
	evesEvent := s.MustCreateEvent(t, eve, map[string]any{"title": "Eve's party", "starts_at": "2026-11-24T18:30:00Z"})

	cs := mustMCP(t, s, tok)
	list, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
		schema, _ := json.Marshal(tool.InputSchema)
		if tool.Description == "" || !strings.Contains(string(schema), `"properties"`) {
			t.Errorf("%s: description %q, schema %s", tool.Name, tool.Description, schema)
		}
	}
	for _, tool := range list.Tools {
		readOnly := tool.Name == "search" || tool.Name == "list_followups" || tool.Name == "prep_brief" || tool.Name == "prep_event" || tool.Name == "list_records"
		destructive := tool.Name == "drop_stale_followups" // it cancels follow-ups
		if a := tool.Annotations; a == nil || a.ReadOnlyHint != readOnly || !readOnly && (a.DestructiveHint == nil || *a.DestructiveHint != destructive) {
			t.Errorf("%s annotations %+v", tool.Name, tool.Annotations)
		}
	}
	sort.Strings(names)
	if got := strings.Join(names, " "); got != "add_opportunity add_record complete_followup create_intro drop_stale_followups list_followups list_records log_encounter log_interaction prep_brief prep_event schedule_followup search update_record" {
		t.Fatalf("tools: %s", got)
	}

	w := &mcpScenario{s: s, tok: tok, eve: eve, ev: ev, grace: grace, evesContact: evesContact, evesEvent: evesEvent, cs: cs}
	w.logEncounter(t)
	w.logInteraction(t)
	w.scheduleFollowup(t)
	w.addOpportunity(t)
	w.toolErrors(t)
	w.searchAndBrief(t)
	w.prepAndFollowups(t)
	w.isolationAndAuth(t)
	w.dropStale(t)
}

// dropStale: drop_stale_followups cancels the thank-you and check-in of a
// meeting three months ago, Ada's alone; a bad before is a tool error
// naming it.
func (w *mcpScenario) dropStale(t *testing.T) {
	s, tok, eve, cs := w.s, w.tok, w.eve, w.cs
	long := s.Clock.Now().AddDate(0, 0, -90).UTC().Format(time.RFC3339)
	for _, who := range []string{tok, eve} {
		ev := s.MustCreateEvent(t, who, map[string]any{"title": "Long ago", "starts_at": long})
		s.MustCreate(t, who, "/v1/events/"+ev+"/encounters", map[string]any{"contact": map[string]any{"name": "Old Friend"}, "moment": "after_talk", "met_at": long})
	}
	if _, msg := call(t, cs, "drop_stale_followups", map[string]any{"before": "last spring"}); !strings.Contains(msg, "before") {
		t.Fatalf("a bad before: %q", msg)
	}
	if out, msg := call(t, cs, "drop_stale_followups", map[string]any{}); out == nil || out["dropped"] != 2.0 || out["more"] != false {
		t.Fatalf("drop_stale_followups: %v %q", out, msg)
	}
	if out, _ := call(t, cs, "drop_stale_followups", nil); out == nil || out["dropped"] != 0.0 {
		t.Fatalf("dropped again: %v", out)
	}
	if out, _ := call(t, mustMCP(t, s, eve), "drop_stale_followups", nil); out == nil || out["dropped"] != 2.0 {
		t.Fatalf("Eve's stale follow-ups: %v", out)
	}
}

// mcpScenario is what TestMCP's steps share: the server, Ada's and Eve's
// tokens, Ada's event and contact, Eve's, Ada's MCP session, and the
// contact and follow-up its tools made.
type mcpScenario struct {
	s                                           *TestServer
	tok, eve, ev, grace, evesContact, evesEvent string
	cs                                          *mcp.ClientSession
	jose, fid                                   string
}

// logEncounter: a new contact at an event, with the thank-you scheduled;
// once per idempotency key.
func (w *mcpScenario) logEncounter(t *testing.T) {
	s, tok, ev, cs := w.s, w.tok, w.ev, w.cs
	// log_encounter: a new contact at an event, with the thank-you scheduled; once per idempotency key.
	args := map[string]any{"event_id": ev, "moment": "after_talk", "topics": []string{"flame graphs"}, "notes": "wants the pprof slides",
		"contact": map[string]any{"name": "José Núñez", "emails": []string{"jose@globex.example"}}, "idempotency_key": "k1"}
	first, msg := call(t, cs, "log_encounter", args)
	if msg != "" {
		t.Fatalf("log_encounter: %s", msg)
	}
	jose := first["contact"].(map[string]any)["id"].(string)
	fus := first["followups"].([]any)
	if len(fus) == 0 || first["encounter"].(map[string]any)["event_id"] != ev {
		t.Fatalf("log_encounter answered %v", first)
	}
	again, _ := call(t, cs, "log_encounter", args)
	if again["encounter"].(map[string]any)["id"] != first["encounter"].(map[string]any)["id"] {
		t.Fatal("a repeated idempotency key logged twice")
	}
	if n := len(s.Do(t, "GET", "/v1/contacts/"+jose+"/encounters", tok, nil).JSON(t)["items"].([]any)); n != 1 {
		t.Fatalf("%d encounters after a retry, want 1", n)
	}
	args["notes"] = "other notes"
	if _, msg := call(t, cs, "log_encounter", args); !strings.Contains(msg, "idempotency_key") {
		t.Fatalf("the same key with other arguments: %q", msg)
	}
	w.jose = jose
}

// logInteraction: a call with the contact just met, logged once per
// idempotency key; their last contact moves to it.
func (w *mcpScenario) logInteraction(t *testing.T) {
	s, tok, cs, jose := w.s, w.tok, w.cs, w.jose
	args := map[string]any{"contact_id": jose, "kind": "call", "at": "2026-11-24T17:00:00Z", "notes": "sent the pprof slides", "idempotency_key": "k2"}
	first, msg := call(t, cs, "log_interaction", args)
	if msg != "" || first["kind"] != "call" || first["contact_id"] != jose {
		t.Fatalf("log_interaction: %v %s", first, msg)
	}
	if again, _ := call(t, cs, "log_interaction", args); again["id"] != first["id"] {
		t.Fatal("a repeated idempotency key logged twice")
	}
	its := s.Do(t, "GET", "/v1/contacts/"+jose+"/interactions", tok, nil).JSON(t)["items"].([]any)
	if len(its) != 1 || its[0].(map[string]any)["notes"] != "sent the pprof slides" {
		t.Fatalf("interactions: %v", its)
	}
	if last := s.Do(t, "GET", "/v1/contacts/"+jose, tok, nil).JSON(t)["last_contacted_at"]; last != "2026-11-24T17:00:00Z" {
		t.Fatalf("last contact %v", last)
	}
}

// scheduleFollowup: "remind me to send José the slides on Friday" is a
// custom follow-up for him, due then; once per idempotency key.
func (w *mcpScenario) scheduleFollowup(t *testing.T) {
	s, tok, cs, jose := w.s, w.tok, w.cs, w.jose
	args := map[string]any{"contact_id": jose, "due_at": "2026-11-27T09:00:00+01:00", "note": "send the flame graph slides", "idempotency_key": "k3"}
	first, msg := call(t, cs, "schedule_followup", args)
	if msg != "" || first["kind"] != "custom" || first["contact_id"] != jose || first["due_at"] != "2026-11-27T08:00:00Z" || first["status"] != "pending" {
		t.Fatalf("schedule_followup: %v %s", first, msg)
	}
	if again, _ := call(t, cs, "schedule_followup", args); again["id"] != first["id"] {
		t.Fatal("a repeated idempotency key scheduled twice")
	}
	n := 0
	for _, f := range s.Do(t, "GET", "/v1/followups?contact_id="+jose, tok, nil).JSON(t)["items"].([]any) {
		if f.(map[string]any)["note"] == "send the flame graph slides" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d follow-ups with the note, want 1", n)
	}
}

// addOpportunity: "José says Globex is hiring a staff engineer; remind me
// to send my CV on Friday" is a lead at Globex (the company made once,
// found again by another spelling), sourced by him at the event, with its
// next step a follow-up for him; once per idempotency key. A refused call
// makes no company.
func (w *mcpScenario) addOpportunity(t *testing.T) {
	s, tok, cs, jose, ev := w.s, w.tok, w.cs, w.jose, w.ev
	args := map[string]any{"title": "Staff engineer", "company": "Globex Inc.", "source_contact_id": jose, "source_event_id": ev,
		"next_step": "Send CV", "next_step_at": "2026-11-27T09:00:00Z", "idempotency_key": "k4"}
	first, msg := call(t, cs, "add_opportunity", args)
	if msg != "" || first["stage"] != "lead" || first["kind"] != "job" || first["company_id"] == "" || first["source_contact_id"] != jose {
		t.Fatalf("add_opportunity: %v %s", first, msg)
	}
	if again, _ := call(t, cs, "add_opportunity", args); again["id"] != first["id"] {
		t.Fatal("a repeated idempotency key added twice")
	}
	other, msg := call(t, cs, "add_opportunity", map[string]any{"title": "Advisor", "kind": "advisory", "company": "GLOBEX"})
	if msg != "" || other["company_id"] != first["company_id"] {
		t.Fatalf("another spelling of Globex: %v %s", other, msg)
	}
	if _, msg := call(t, cs, "add_opportunity", map[string]any{"title": "Ghost job", "company": "Initech", "source_contact_id": w.evesContact}); !strings.Contains(strings.ToLower(msg), "not found") {
		t.Fatalf("another user's contact: %q", msg)
	}
	names := ""
	for _, c := range s.Do(t, "GET", "/v1/companies", tok, nil).JSON(t)["items"].([]any) {
		names += c.(map[string]any)["name"].(string) + ";"
	}
	if strings.Contains(names, "Initech") || strings.Count(strings.ToLower(names), "globex") != 1 {
		t.Fatalf("companies after the calls: %s", names)
	}
	due := 0
	for _, f := range s.Do(t, "GET", "/v1/followups?contact_id="+jose, tok, nil).JSON(t)["items"].([]any) {
		if f := f.(map[string]any); f["opportunity_id"] == first["id"] && f["due_at"] == "2026-11-27T09:00:00Z" {
			due++
		}
	}
	if due != 1 {
		t.Fatalf("the next step's follow-ups for José: %d, want 1", due)
	}
}

// toolErrors: the API's validation as tool errors naming the field; another
// user's ids are not found.
func (w *mcpScenario) toolErrors(t *testing.T) {
	ev, grace, evesContact, evesEvent, cs := w.ev, w.grace, w.evesContact, w.evesEvent, w.cs
	evesFollowup := w.s.MustCreate(t, w.eve, "/v1/followups", map[string]any{"contact_id": evesContact, "due_at": "2026-12-01T09:00:00Z"})["id"].(string)
	// The API's validation, as tool errors naming the field.
	for _, c := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"log_encounter", map[string]any{"event_id": ev, "moment": "at lunch", "contact_id": grace}, "moment"},
		{"log_encounter", map[string]any{"event_id": ev, "moment": "other"}, "contact"},
		{"search", map[string]any{"q": "  "}, "q"},
		{"search", map[string]any{"q": "go", "types": []string{"people"}}, "types"},
		{"create_intro", map[string]any{"contact_ids": []string{grace}}, "contact_ids"},
		{"list_followups", map[string]any{"due_before": "tomorrow"}, "due_before"},
		{"log_interaction", map[string]any{"contact_id": grace, "kind": "telepathy"}, "kind"},
		{"schedule_followup", map[string]any{"contact_id": grace, "due_at": "friday"}, "due_at"},
		{"add_opportunity", map[string]any{"title": "x", "kind": "gig"}, "kind"},
		// Another user's ids are not found.
		{"log_encounter", map[string]any{"event_id": evesEvent, "moment": "other", "contact_id": grace}, "not found"},
		{"log_encounter", map[string]any{"event_id": ev, "moment": "other", "contact_id": evesContact}, "not found"},
		{"create_intro", map[string]any{"contact_ids": []string{grace, evesContact}}, "not found"},
		{"prep_brief", map[string]any{"contact_id": evesContact}, "not found"},
		{"log_interaction", map[string]any{"contact_id": evesContact, "kind": "call"}, "not found"},
		{"schedule_followup", map[string]any{"contact_id": evesContact, "due_at": "2026-12-01T09:00:00Z"}, "not found"},
		{"prep_event", map[string]any{"event_id": evesEvent}, "not found"},
		{"complete_followup", map[string]any{"id": "000000000000000000000000"}, "not found"},
		{"complete_followup", map[string]any{"id": evesFollowup}, "not found"},
	} {
		if _, msg := call(t, cs, c.tool, c.args); !strings.Contains(strings.ToLower(msg), c.want) {
			t.Errorf("%s %v: error %q, want one naming %s", c.tool, c.args, msg, c.want)
		}
	}
	if st := w.s.Do(t, "GET", "/v1/followups/"+evesFollowup, w.eve, nil).JSON(t)["status"]; st != "pending" {
		t.Errorf("Eve's follow-up, completed by another user's assistant: %v", st)
	}
	// A missing required argument is refused by the schema.
	if _, msg := call(t, cs, "prep_brief", map[string]any{}); msg == "" {
		t.Error("prep_brief without contact_id succeeded")
	}
}

// searchAndBrief: search finds what was logged; create_intro, then
// prep_brief gathers the meeting, topics, intro and follow-ups.
func (w *mcpScenario) searchAndBrief(t *testing.T) {
	ev, grace, cs, jose := w.ev, w.grace, w.cs, w.jose
	// search finds what was logged, folded and by prefix.
	found, msg := call(t, cs, "search", map[string]any{"q": "flame pprof"})
	items, _ := found["items"].([]any)
	if msg != "" || len(items) == 0 {
		t.Fatalf("search: %v %s", found, msg)
	}
	if hit := items[0].(map[string]any); hit["type"] != "encounter" || hit["title"] != "José Núñez at GoDays Berlin" {
		t.Fatalf("search hit %v", hit)
	}

	// create_intro, then prep_brief gathers the meeting, topics, intro and follow-ups.
	intro, msg := call(t, cs, "create_intro", map[string]any{"contact_ids": []string{jose, grace}, "context": "both profile Go", "event_id": ev})
	if msg != "" || intro["status"] == nil {
		t.Fatalf("create_intro: %v %s", intro, msg)
	}
	brief, msg := call(t, cs, "prep_brief", map[string]any{"contact_id": jose})
	if msg != "" {
		t.Fatal(msg)
	}
	met := brief["met"].([]any)
	if len(met) != 1 || met[0].(map[string]any)["event_title"] != "GoDays Berlin" || brief["topics"].([]any)[0] != "flame graphs" {
		t.Fatalf("brief: %v", brief)
	}
	if first := brief["first_met_at"]; first == nil || first != met[0].(map[string]any)["met_at"] {
		t.Fatalf("brief first met %v, the one meeting %v", first, met[0])
	}
	if in := brief["intros"].([]any); len(in) != 1 || in[0].(map[string]any)["other_name"] != "Grace Hopper" {
		t.Fatalf("brief intros: %v", brief["intros"])
	}
	if len(brief["open_followups"].([]any)) == 0 {
		t.Fatalf("brief follow-ups: %v", brief)
	}
}

// prepAndFollowups: prep_event on the guest list; list_followups and
// complete_followup.
func (w *mcpScenario) prepAndFollowups(t *testing.T) {
	s, tok, ev, cs, jose := w.s, w.tok, w.ev, w.cs, w.jose
	// prep_event: the event's guest list, whom the user knows on it.
	MustStatus(t, s.Do(t, "POST", "/v1/events/"+ev+"/attendees/import", tok, "name,company\nJosé Núñez,Acme\nNew Nell,Initech\n",
		"Content-Type", "text/csv"), 200)
	prep, msg := call(t, cs, "prep_event", map[string]any{"event_id": ev})
	if msg != "" {
		t.Fatal(msg)
	}
	// José, listed without an email, was met here under his name: known.
	known, toMeet := prep["known"].([]any), prep["to_meet"].([]any)
	if len(known) != 1 || known[0].(map[string]any)["contact"].(map[string]any)["id"] != jose || len(toMeet) != 1 || prep["event"].(map[string]any)["id"] != ev {
		t.Fatalf("prep_event: %v", prep)
	}

	// list_followups and complete_followup.
	pending, _ := call(t, cs, "list_followups", map[string]any{"contact_id": jose})
	pitems := pending["items"].([]any)
	if len(pitems) == 0 {
		t.Fatalf("list_followups: %v", pending)
	}
	fid := pitems[0].(map[string]any)["id"].(string)
	done, msg := call(t, cs, "complete_followup", map[string]any{"id": fid})
	if msg != "" || done["status"] != "done" {
		t.Fatalf("complete_followup: %v %s", done, msg)
	}
	if got := s.Do(t, "GET", "/v1/followups/"+fid, tok, nil).JSON(t)["status"]; got != "done" {
		t.Fatalf("the API sees status %v", got)
	}
	w.fid = fid
}

// isolationAndAuth: Eve's session sees none of Ada's records; a raw
// tools/list through a proxy is answered, without a token refused.
func (w *mcpScenario) isolationAndAuth(t *testing.T) {
	s, tok, eve, fid := w.s, w.tok, w.eve, w.fid
	// Eve's session sees none of Ada's records.
	evecs := mustMCP(t, s, eve)
	if found, _ := call(t, evecs, "search", map[string]any{"q": "jose"}); len(found["items"].([]any)) != 0 {
		t.Fatalf("Eve finds %v", found)
	}
	if _, msg := call(t, evecs, "complete_followup", map[string]any{"id": fid}); !strings.Contains(strings.ToLower(msg), "not found") {
		t.Fatalf("Eve completes Ada's follow-up: %q", msg)
	}

	// A raw tools/list, as a client behind a reverse proxy or without a
	// token would send it.
	rawList := func(host, auth string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", s.URL+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
		if host != "" {
			req.Host = host
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	// Through a reverse proxy (another Host) with the token: answered.
	if st, body := rawList("rapport.example", "Bearer "+tok); st != 200 || !strings.Contains(body, `"prep_brief"`) {
		t.Fatalf("tools/list through a proxy: %d %s", st, body)
	}
	// No token, or a wrong one: 401 before any MCP is spoken.
	for _, h := range []string{"", "Bearer nope"} {
		if st, _ := rawList("", h); st != 401 {
			t.Fatalf("%q: %d", h, st)
		}
	}
}

// TestMCPStandards: what the MCP specification, JSON-RPC and the clients
// ask of /mcp — a browser's foreign Origin is refused (DNS rebinding)
// while the server's own, CRM_MCP_ORIGINS' and no Origin pass; an unknown
// method is the JSON-RPC error -32601; a bad status is a tool error naming
// it (and 422 on the API); input schemas have no ["null", T] types;
// list_followups names each follow-up's contact; and a null argument is
// one not given (nullArguments).
func TestMCPStandards(t *testing.T) {
	s := MustServe(t, openSignup, func(d *api.Deps, _ *web.Deps) { d.MCPOrigins = []string{"https://claude.ai"} })
	_, tok := s.MustSignup(t, "ada@example.com")
	raw := func(body string, headers ...string) *Response {
		t.Helper()
		return s.Do(t, "POST", "/mcp", tok, json.RawMessage(body),
			append([]string{"Accept", "application/json, text/event-stream"}, headers...)...)
	}
	list := `{"jsonrpc":"2.0","id":7,"method":"tools/list"}`
	for origin, want := range map[string]int{"": 200, "http://rapport.test": 200, "https://claude.ai": 200, "https://evil.example": 403, "http://rapport.test.evil.example": 403} {
		var h []string
		if origin != "" {
			h = []string{"Origin", origin}
		}
		if r := raw(list, h...); r.Status != want {
			t.Errorf("Origin %q: %d, want %d", origin, r.Status, want)
		}
	}

	r := raw(`{"jsonrpc":"2.0","id":"x-1","method":"foo/bar","params":{}}`)
	var rpc struct {
		ID    string `json:"id"`
		Error struct {
			Code int `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &rpc); err != nil || rpc.ID != "x-1" || rpc.Error.Code != -32601 {
		t.Fatalf("an unknown method: %d %s", r.Status, r.Body)
	}

	var tools struct {
		Result struct {
			Tools []struct {
				Name        string          `json:"name"`
				InputSchema json.RawMessage `json:"inputSchema"`
			} `json:"tools"`
		} `json:"result"`
	}
	if err := json.Unmarshal(raw(list).Body, &tools); err != nil || len(tools.Result.Tools) < 6 {
		t.Fatalf("tools/list: %v", err)
	}
	for _, tool := range tools.Result.Tools {
		if strings.Contains(string(tool.InputSchema), `"null"`) {
			t.Errorf("%s's input schema has a null type: %s", tool.Name, tool.InputSchema)
		}
	}

	cs := mustMCP(t, s, tok)
	if _, msg := call(t, cs, "list_followups", map[string]any{"status": "nonsense"}); !strings.Contains(msg, "status") {
		t.Fatalf("list_followups with a bad status: %q", msg)
	}
	MustProblem(t, s.Do(t, "GET", "/v1/followups?status=nonsense", tok, nil), 422, "status")
	ev := s.Do(t, "POST", "/v1/events", tok, map[string]any{"title": "GoDays", "starts_at": "2026-11-24T18:00:00Z"}).JSON(t)
	s.Do(t, "POST", "/v1/events/"+ev["id"].(string)+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Grace Hopper"}, "moment": "after_talk"})
	got, msg := call(t, cs, "list_followups", map[string]any{})
	items, _ := got["items"].([]any)
	if msg != "" || len(items) == 0 {
		t.Fatalf("list_followups: %v %q", got, msg)
	}
	for _, it := range items {
		if name := it.(map[string]any)["contact_name"]; name != "Grace Hopper" {
			t.Fatalf("a follow-up's contact_name: %v", name)
		}
	}
	nullArguments(t, s, tok, cs)
}

// nullArguments: null for an optional argument, as assistants send one
// they leave out, is taken as not given, in a nested object too; for a
// required one it is missing, by name (the SDK's schema check said
// "type: <invalid reflect.Value> has type \"null\"" of both).
func nullArguments(t *testing.T, s *TestServer, tok string, cs *mcp.ClientSession) {
	t.Helper()
	if _, msg := call(t, cs, "list_followups", map[string]any{"status": nil, "contact_id": nil, "due_before": nil, "limit": nil}); msg != "" {
		t.Errorf("list_followups with null arguments: %q", msg)
	}
	ev := s.Do(t, "POST", "/v1/events", tok, map[string]any{"title": "Null Meetup", "starts_at": "2026-11-20T18:00:00Z"}).JSON(t)["id"].(string)
	got, msg := call(t, cs, "log_encounter", map[string]any{"event_id": ev, "contact_id": nil, "moment": "after_talk", "met_at": nil, "topics": nil,
		"contact": map[string]any{"name": "Nell Null", "emails": nil, "company": nil}})
	if msg != "" || got["contact"].(map[string]any)["name"] != "Nell Null" {
		t.Errorf("log_encounter with null arguments: %v %q", got, msg)
	}
	if _, msg := call(t, cs, "search", map[string]any{"q": nil}); !strings.Contains(msg, `missing properties: ["q"]`) || strings.Contains(msg, "reflect") {
		t.Errorf("search with a null q: %q", msg)
	}
}

// TestMCPInspectorCLI: the MCP Inspector's own CLI (tools/mcpinspector,
// installed by .ci/run) connects over Streamable HTTP with the token, lists
// the ten tools, and in --strict mode finds no schema that some clients
// or model providers would refuse (it warned of ["null","array"] types).
func TestMCPInspectorCLI(t *testing.T) {
	bin := tooltest.Need(t, filepath.Join(repoRoot, "tools", "mcpinspector", "node_modules", ".bin", "inspector"))
	tooltest.Need(t, "node")
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	cmd := exec.Command(bin, "--cli", s.URL+"/mcp", "--transport", "http", "--header", "Authorization: Bearer "+tok, "--method", "tools/list", "--strict")
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("inspector: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	if w := stderr.String(); strings.Contains(w, "Warning") || strings.Contains(w, "Error") {
		t.Fatalf("the Inspector warns:\n%s", w)
	}
	var list struct {
		Tools []struct{ Name string } `json:"tools"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &list); err != nil || len(list.Tools) != 14 {
		t.Fatalf("tools/list through the Inspector: %v\n%s", err, stdout.String())
	}
}

// TestMCPIsStateless: /mcp answers POST only; GET (a server-sent stream)
// and DELETE (ending a session) are 405, as a stateless server says.
func TestMCPIsStateless(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	for _, method := range []string{"GET", "DELETE"} {
		if r := s.Do(t, method, "/mcp", tok, nil, "Accept", "application/json, text/event-stream"); r.Status != 405 {
			t.Errorf("%s /mcp: %d, want 405: %s", method, r.Status, r.Body)
		}
	}
}
