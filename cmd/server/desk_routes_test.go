package main

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// deskRoutes calls the desk's pages through Main (their behaviour is
// tested in pkg/web): contact edit, interaction, note, intro, intros,
// pipeline.
func deskRoutes(t *testing.T, get func(string) string, post func(string, url.Values) string,
	upload func(path, field, name, content string, form url.Values) string, csrf, contact string) {
	t.Helper()
	edit := get("/app/contacts/" + contact + "/edit")
	stamp := regexp.MustCompile(`name="updated_at" value="([^"]+)"`).FindStringSubmatch(edit)
	if stamp == nil {
		t.Fatal("the edit page has no updated_at")
	}
	if !strings.Contains(post("/app/contacts/"+contact+"/edit", url.Values{"csrf": {csrf}, "updated_at": {stamp[1]}, "name": {"Wendy W."}}), "Saved Wendy W.") {
		t.Fatal("editing Wendy")
	}
	post("/app/contacts/"+contact+"/interactions", url.Values{"csrf": {csrf}, "kind": {"call"}})
	post("/app/contacts/"+contact+"/notes", url.Values{"csrf": {csrf}, "note": {"Likes Go"}})
	var other string
	for _, m := range regexp.MustCompile(`href="/app/contacts/([0-9a-f]+)"`).FindAllStringSubmatch(get("/app/contacts"), -1) {
		if m[1] != contact {
			other = m[1]
		}
	}
	if other == "" {
		t.Fatal("no second contact to introduce Wendy to")
	}
	post("/app/contacts/"+contact+"/intros", url.Values{"csrf": {csrf}, "other_id": {other}, "double_opt_in": {"1"}})
	m := regexp.MustCompile(`action="/app/intros/([^"/]+)" class="pick">\s*<input type="hidden" name="csrf" value="[^"]*"><input type="hidden" name="updated_at" value="([^"]+)"`).
		FindStringSubmatch(get("/app/intros"))
	if m == nil {
		t.Fatal("the intros page lists no intro (with the updated_at its form carries)")
	}
	if !strings.Contains(post("/app/intros/"+m[1], url.Values{"csrf": {csrf}, "updated_at": {m[2]}, "status": {"accepted"}}), "Intro updated.") {
		t.Fatal("moving an intro on the intros page")
	}
	if !strings.Contains(post("/app/pipeline", url.Values{"csrf": {csrf}, "title": {"Advisor"}, "kind": {"advisory"}}), "Added Advisor.") {
		t.Fatal("adding an opportunity on the pipeline page")
	}
	deskEventRoutes(t, get, post, upload, csrf)
	deskImportRoutes(t, get, post, upload, csrf)
	co := regexp.MustCompile(`href="/app/companies/([0-9a-f]+)"`).FindStringSubmatch(get("/app/companies"))
	if co == nil {
		t.Fatal("the companies page lists no company")
	}
	get("/app/companies/" + co[1])
	if !strings.Contains(post("/app/contacts/bulk", url.Values{"csrf": {csrf}, "ids": {contact}, "action": {"add_tag"}, "tag": {"desk"}}), "Tagged 1 contact “desk”.") {
		t.Fatal("tagging from the contacts table")
	}
	if !strings.Contains(get("/app/today"), "The next 14 days") {
		t.Fatal("the today page")
	}
	if !strings.Contains(get("/app/insights"), `<svg class="chart"`) {
		t.Fatal("the insights page draws no chart")
	}
	o := regexp.MustCompile(`action="/app/pipeline/([^"/]+)/stage"`).FindStringSubmatch(get("/app/pipeline"))
	if o == nil || !strings.Contains(post("/app/pipeline/"+o[1]+"/stage", url.Values{"csrf": {csrf}, "stage": {"offer"}}), "moved to offer") {
		t.Fatal("moving a card on the pipeline page")
	}
}

// deskEventRoutes calls the desk's event pages through Main.
func deskEventRoutes(t *testing.T, get func(string) string, post func(string, url.Values) string,
	upload func(path, field, name, content string, form url.Values) string, csrf string) {
	t.Helper()
	cal := regexp.MustCompile(`action="/app/calendars/([^"/]+)/delete"`).FindStringSubmatch(get("/app/events"))
	if cal == nil || !strings.Contains(post("/app/calendars/"+cal[1]+"/delete", url.Values{"csrf": {csrf}}), "Stopped following") {
		t.Fatal("unfollowing a calendar on the events page")
	}
	get("/app/events/new")
	page := post("/app/events", url.Values{"csrf": {csrf}, "title": {"Desk meetup"}, "starts_at": {"2026-12-01T18:00"}, "talk_title": {"Intro"}})
	m := regexp.MustCompile(`href="/app/events/([0-9a-f]+)/edit"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the new event's page has no edit link")
	}
	edit := get("/app/events/" + m[1] + "/edit")
	stamp := regexp.MustCompile(`name="updated_at" value="([^"]+)"`).FindStringSubmatch(edit)
	post("/app/events/"+m[1]+"/edit", url.Values{"csrf": {csrf}, "updated_at": {stamp[1]}, "title": {"Desk meetup 2"}, "starts_at": {"2026-12-01T18:00"}})
	get("/app/events/" + m[1] + "/review")
	if !strings.Contains(post("/app/events/"+m[1]+"/giving", url.Values{"csrf": {csrf}, "kind": {"spoke"}}), "thank you for giving") {
		t.Fatal("noting a talk given on the event's page")
	}
	get("/app/events/" + m[1] + "/prep")
	get("/app/events/" + m[1] + "/guests")
	guests := upload("/app/events/"+m[1]+"/guests", "file", "guests.csv", "name,email\nGuest Gil,gil@example.com\nGuest Hal,hal@example.com\n", url.Values{"csrf": {csrf}})
	ids := regexp.MustCompile(`<tr id="g-([0-9a-f]+)">`).FindAllStringSubmatch(guests, -1)
	if len(ids) != 2 {
		t.Fatalf("the uploaded guest list: %d rows", len(ids))
	}
	if !strings.Contains(post("/app/events/"+m[1]+"/guests/"+ids[0][1]+"/met", url.Values{"csrf": {csrf}, "moment": {"after_talk"}}), "Met Guest Gil") {
		t.Fatal("meeting a guest from the list")
	}
	if !strings.Contains(post("/app/events/"+m[1]+"/guests/"+ids[1][1]+"/delete", url.Values{"csrf": {csrf}}), "Taken off the list.") {
		t.Fatal("taking a guest off the list")
	}
	get("/app/events/" + m[1] + "/delete")
	if !strings.Contains(post("/app/events/"+m[1]+"/delete", url.Values{"csrf": {csrf}}), "Deleted Desk meetup 2.") {
		t.Fatal("deleting the desk's event")
	}
}

// deskImportRoutes calls the import page's routes through Main: a preview,
// the import, its undo, a backup downloaded and (refused: the account is
// not empty) restored; files go up as a browser sends them (multipart).
func deskImportRoutes(t *testing.T, get func(string) string, post func(string, url.Values) string,
	upload func(path, field, name, content string, form url.Values) string, csrf string) {
	t.Helper()
	get("/app/import")
	preview := upload("/app/import", "file", "c.csv", "name,email\nImported Irene,irene@example.com\n", url.Values{"csrf": {csrf}})
	data := regexp.MustCompile(`name="data" value="([^"]+)"`).FindStringSubmatch(preview)
	if data == nil {
		t.Fatal("the import preview carries no file")
	}
	done := upload("/app/import/confirm", "", "", "", url.Values{"csrf": {csrf}, "kind": {"csv"}, "file": {"c.csv"}, "data": {data[1]}})
	undo := regexp.MustCompile(`action="(/app/imports/[^"/]+/undo)"`).FindStringSubmatch(done)
	if undo == nil || !strings.Contains(post(undo[1], url.Values{"csrf": {csrf}}), "Undone") {
		t.Fatal("undoing the desk's import")
	}
	backup := get("/app/backup.json")
	if !strings.Contains(upload("/app/backup/restore", "backup", "b.json", backup, url.Values{"csrf": {csrf}}), "Not restored") {
		t.Fatal("restoring into a full account should be refused in words")
	}
}
