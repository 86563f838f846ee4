package dav_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/dav"
	"github.com/rapport-crm/rapport/pkg/followup"
)

// BenchmarkTaskList: a PROPFIND of every task's ETag on the task list, from
// cold, on an account with 20 pending follow-ups, 20 done yesterday (both
// listed) and 5,000 done two months ago (left out: done more than 30 days
// ago). go test ./pkg/dav -run '^$' -bench TaskList -benchtime 50x
func BenchmarkTaskList(b *testing.B) {
	s := serve(b)
	u := s.signup(b, "me@example.com")
	ctx := b.Context()
	c, err := s.crm.CreateContact(ctx, u.User, contacts.Input{Name: "Jane Doe"})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	var old, yesterday []string
	for i := range 5_040 {
		f, err := s.crm.Followups.Create(ctx, u.User.ID, &followup.FollowUp{ContactID: c.ID, Kind: followup.Custom, Note: fmt.Sprint("task ", i),
			DueAt: now.AddDate(0, 0, -90).Add(time.Duration(i) * time.Minute)})
		if err != nil {
			b.Fatal(err)
		}
		switch {
		case i < 5_000:
			old = append(old, f.ID)
		case i < 5_020:
			yesterday = append(yesterday, f.ID)
		}
	}
	for ids, at := range map[*[]string]time.Time{&old: now.AddDate(0, 0, -60), &yesterday: now.AddDate(0, 0, -1)} {
		for i := 0; i < len(*ids); i += 500 {
			if _, err := s.crm.Followups.Store.End(ctx, u.User.ID, (*ids)[i:min(i+500, len(*ids))], followup.Done, at); err != nil {
				b.Fatal(err)
			}
		}
	}
	for b.Loop() {
		b.StopTimer()
		s.dav.ForgetListings()
		b.StartTimer()
		req, _ := http.NewRequest("PROPFIND", s.URL+dav.TaskListPath, strings.NewReader(`<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`))
		req.SetBasicAuth(u.Email, u.token)
		req.Header.Set("Depth", "1")
		req.Header.Set("Content-Type", "application/xml")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if n := strings.Count(string(body), ".ics<"); n != 40 {
			b.Fatalf("PROPFIND %d: %d tasks listed, want 40: %.300s", resp.StatusCode, n, body)
		}
	}
}
