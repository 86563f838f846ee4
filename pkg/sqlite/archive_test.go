package sqlite_test

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/sqlite"
)

// TestArchiveHoldsNoConnection: a walk of a user's records — a backup's
// download — whose caller is slow (its client reads slowly, or not at
// all) holds no read connection while it waits. Twice as many such walks
// at once as there are read connections, each held at a record, and
// another user's read goes through; when it held its query open, four
// held every read connection of a 2-core server and other users'
// requests failed after 15 s. Each walk still sees every record, once, in
// id order.
func TestArchiveHoldsNoConnection(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	s := &sqlite.Contacts{DB: db}
	now := time.Now().UTC()
	// Twice as many walks as the store has read connections (db.go).
	const n = 2500
	walks := 2 * max(4, runtime.GOMAXPROCS(0)*2)
	cs := make([]*contacts.Contact, n)
	ids := make([]string, n)
	for i := range cs {
		ids[i] = record.NewID()
		cs[i] = &contacts.Contact{ID: ids[i], UserID: "u1", Name: fmt.Sprint("Person ", i), CreatedAt: now, UpdatedAt: now}
	}
	sort.Strings(ids)
	if _, err := s.ImportContacts(ctx, cs); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateContact(ctx, &contacts.Contact{ID: record.NewID(), UserID: "u2", Name: "Other", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}

	held, release := make(chan struct{}, walks), make(chan struct{})
	var once sync.Once
	letGo := func() { once.Do(func() { close(release) }) }
	var wg sync.WaitGroup
	seen := make([][]string, walks)
	errs := make([]error, walks)
	for w := range walks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = s.ContactArchive().Each(ctx, "u1", func(c *contacts.Contact) error {
				if len(seen[w]) == n/2 { // mid-way, past a chunk
					held <- struct{}{}
					<-release
				}
				seen[w] = append(seen[w], c.ID)
				return nil
			})
		}()
	}
	defer wg.Wait()
	defer letGo()
	// A walk that held a read connection would keep the others from their
	// record for good; the wait only tells that from a slow machine (under
	// -race beside other packages, 32 walks took over 10 s to get there).
	for got, wait := 0, time.After(60*time.Second); got < walks; got++ {
		select {
		case <-held:
		case <-wait:
			t.Fatalf("%d of %d walks reached their held record; the others wait for a read connection", got, walks)
		}
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if page, err := s.Contacts(rctx, "u2", contacts.ContactQuery{Limit: 10}); err != nil || len(page.Items) != 1 {
		t.Fatalf("another user's read while %d walks wait on their callers: %v", walks, err)
	}
	letGo()
	wg.Wait()
	for w := range walks {
		if errs[w] != nil || fmt.Sprint(seen[w]) != fmt.Sprint(ids) {
			t.Fatalf("walk %d: %d records, in id order %v; %v", w, len(seen[w]), sort.StringsAreSorted(seen[w]), errs[w])
		}
	}
}
