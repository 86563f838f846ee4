package sqlite

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

// plan returns SQLite's EXPLAIN QUERY PLAN of query, one step a line.
func plan(tb testing.TB, db *DB, query string, args ...any) string {
	tb.Helper()
	rows, err := db.read.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			tb.Fatal(err)
		}
		lines = append(lines, detail)
	}
	return strings.Join(lines, "\n")
}

// TestContactQueryPlans: every contacts query shape reads through an index
// and needs no sort, so its cost follows the page, not the user's (or other
// users') number of contacts.
func TestContactQueryPlans(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	s := &Contacts{DB: db}
	now := time.Now().UTC()
	for i := range 300 {
		c := &contacts.Contact{ID: fmt.Sprint("c", i), UserID: fmt.Sprint("u", i%3), Name: fmt.Sprint("N", i), Tags: []string{"t"},
			Emails: []string{fmt.Sprintf("e%d@example.com", i)}, CreatedAt: now, UpdatedAt: now}
		if err := s.CreateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	db.write.ExecContext(ctx, "ANALYZE")
	n1, never := "n1", ""
	for name, q := range map[string]contacts.ContactQuery{
		"List": {}, "ListAfter": {Cursor: &record.Cursor{S: &n1, ID: "c1"}}, "Tag": {Tag: "t"}, "TagAfter": {Tag: "t", Cursor: &record.Cursor{S: &n1, ID: "c1"}},
		"SearchShort": {Q: "n1"}, "SearchRare": {Q: "e17@"}, "IDs": {IDs: []string{"c1", "c4"}},
		"Last": {Sort: contacts.SortLast}, "LastAfter": {Sort: contacts.SortLast, Cursor: &record.Cursor{T: &now, ID: "c1"}},
		"LastNever": {Sort: contacts.SortLast, Cursor: &record.Cursor{S: &never, ID: "c1"}},
		"Since":     {Sort: contacts.SortSince}, "SinceAfter": {Sort: contacts.SortSince, Cursor: &record.Cursor{T: &now, ID: "c1"}},
	} {
		t.Run(name, func(t *testing.T) {
			query, args, err := s.listQuery(ctx, "u1", q, 50)
			if err != nil {
				t.Fatal(err)
			}
			p := plan(t, db, query, args...)
			if name == "SearchRare" || name == "IDs" {
				// At most rareLimit rows (or the ids given) by key, sorted.
				if !strings.Contains(p, "INTEGER PRIMARY KEY") && !strings.Contains(p, "(id=?)") {
					t.Fatalf("%s: rare search does not read by primary key:\n%s", query, p)
				}
				return
			}
			if strings.Contains(p, "TEMP B-TREE") || strings.Contains(p, "SCAN c\n") || strings.HasSuffix(p, "SCAN c") {
				t.Fatalf("%s: plan sorts or scans:\n%s", query, p)
			}
			if !strings.Contains(p, "USING") {
				t.Fatalf("%s: plan uses no index:\n%s", query, p)
			}
			t.Logf("%s\n%s", name, p)
		})
	}
	// The contacts a restore links to companies, a page at a time.
	if p := plan(t, db, unlinkedQuery, "u1", "c1", 500); strings.Contains(p, "TEMP B-TREE") || !strings.Contains(p, "contacts_user_unlinked") {
		t.Errorf("unlinked contacts:\n%s", p)
	}
	// Deleting contacts (an undo's chunks) finds them, their keys and
	// their tags by id, never by walking the user's.
	for _, q := range append([]string{deleteContactsQuery}, unindexQueries...) {
		p := plan(t, db, q, "u1", `["c1","c4"]`)
		byID := strings.Contains(p, "(id=?)") || strings.Contains(p, "(contact_id=?)") || strings.Contains(p, "(user_id=? AND seq=?)")
		if !byID || strings.Contains(p, "(user_id=?)") {
			t.Errorf("%s:\n%s", q, p)
		}
	}
	// Linking contacts to companies (a restore's pages) finds them by id too.
	if p := plan(t, db, setCompaniesQuery, `[["c1","co1"],["c4","co2"]]`, "u1"); !strings.Contains(p, "(id=?)") || strings.Contains(p, "(user_id=?)") {
		t.Errorf("%s:\n%s", setCompaniesQuery, p)
	}
	for name, q := range map[string]string{
		"Get":   `SELECT ` + contactColumns + ` FROM contacts WHERE id = ? AND user_id = ?`,
		"ByKey": `SELECT ` + prefixed("c.", contactColumns) + ` FROM contact_keys k JOIN contacts c ON c.id = k.contact_id WHERE k.user_id = ? AND k.key = ?`,
	} {
		if p := plan(t, db, q, "x", "y"); strings.Contains(p, "SCAN") {
			t.Errorf("%s scans:\n%s", name, p)
		}
	}
}

// TestLeadersQueryPlans: the people met most are read from the kept
// counts in index order, and the encounters outside a window as two
// ranges of encounters_user_met, so neither grows with the window.
func TestLeadersQueryPlans(t *testing.T) {
	db := openTemp(t)
	if p := plan(t, db, keptLeaders, "u1", 20); strings.Contains(p, "TEMP B-TREE") || !strings.Contains(p, "encounter_counts_user_n") {
		t.Fatalf("kept leaders:\n%s", p)
	}
	p := plan(t, db, outsideCounts, "u1", "2026-01-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z")
	if strings.Count(p, "encounters_user_met") != 2 || strings.Contains(p, "SCAN encounters") {
		t.Fatalf("outside counts:\n%s", p)
	}
}

// TestEncounterIndexQueryPlans: indexing new encounters finds them by id,
// never by walking every encounter.
func TestEncounterIndexQueryPlans(t *testing.T) {
	db := openTemp(t)
	for _, q := range encounterSearchQueries {
		p := plan(t, db, q, `["x1","x2"]`)
		if !strings.Contains(p, "sqlite_autoindex_encounters_1 (id=?)") || regexp.MustCompile(`(?m)^SCAN encounters$`).MatchString(p) {
			t.Errorf("%s:\n%s", q, p)
		}
	}
}

// TestAttendeeQueryPlans: the guests of one name are a range of
// attendees_user_event_name, read in its order, whatever the list's size.
func TestAttendeeQueryPlans(t *testing.T) {
	db := openTemp(t)
	p := plan(t, db, attendeesNamedQuery, "u1", "e1", "zoe quinn", 5)
	if !strings.Contains(p, "USING INDEX attendees_user_event_name (user_id=? AND event_id=? AND name_lower=?)") || strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("%s:\n%s", attendeesNamedQuery, p)
	}
}

// TestPeopleMetAtQueryPlan: whom the user met at some events is a range of
// encounters_user_event_contact for each event and a look-up of each contact by
// id in contacts_known_of, not its row (a card's photo before the column
// read), whatever the user's (or other users') number of contacts.
func TestPeopleMetAtQueryPlan(t *testing.T) {
	db := openTemp(t)
	p := plan(t, db, peopleMetAtQuery, "u1", `["e1","e2"]`, "u1")
	if !strings.Contains(p, "COVERING INDEX encounters_user_event_contact (user_id=? AND event_id=?)") || !strings.Contains(p, "COVERING INDEX contacts_known_of (id=?)") ||
		regexp.MustCompile(`(?m)SCAN (encounters|contacts|c)\b`).MatchString(p) {
		t.Errorf("%s:\n%s", peopleMetAtQuery, p)
	}
}

// TestDoneSinceQueryPlan: the task list's done follow-ups are a range of
// the user's in followups_user_done_ended, in its order, however many the
// user ever did.
func TestDoneSinceQueryPlan(t *testing.T) {
	db := openTemp(t)
	p := plan(t, db, doneSinceQuery, "u1", "2026-11-01T00:00:00.000Z")
	if !strings.Contains(p, "followups_user_done_ended (user_id=? AND ended_at>?)") || strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("%s:\n%s", doneSinceQuery, p)
	}
}

// TestKindDocsQueryPlan: a page of a user's documents of a kind is a range
// of kind_docs_user in its order, however many documents the user (or
// anyone) keeps of any kind.
func TestKindDocsQueryPlan(t *testing.T) {
	db := openTemp(t)
	p := plan(t, db, docsPageQuery, "u1", "notes", "~", 51)
	if !strings.Contains(p, "USING INDEX kind_docs_user (user_id=? AND kind=? AND id<?)") || strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("%s:\n%s", docsPageQuery, p)
	}
}
