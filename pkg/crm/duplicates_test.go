package crm_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/enginetest"
	"github.com/rapport-crm/rapport/pkg/record"
)

// gatedContacts is the real contacts store whose listings wait for gate,
// counting the readings that start from the first page.
type gatedContacts struct {
	contacts.Store
	gate   chan struct{}
	firsts *atomic.Int32
}

func (g gatedContacts) Contacts(ctx context.Context, userID string, q contacts.ContactQuery) (*record.Page[contacts.Contact], error) {
	if q.Cursor == nil {
		g.firsts.Add(1)
	}
	<-g.gate
	return g.Store.Contacts(ctx, userID, q)
}

// TestDuplicatesShared: the requests that ask for a user's likely
// duplicates at once share one reading of the contacts — finding them
// reads every contact (4.2 s of a core for 233,897), and 32 asked at once
// each read them all, past their deadlines — and each gets the pairs.
func TestDuplicatesShared(t *testing.T) {
	st := enginetest.Open(t).Stores
	gate := make(chan struct{})
	var firsts atomic.Int32
	st.Contacts = gatedContacts{Store: st.Contacts, gate: gate, firsts: &firsts}
	svc := crm.New(st, time.Now)
	ctx := t.Context()
	for _, name := range []string{"Grace Hopper", "Grace M. Hopper"} {
		if _, err := svc.Contacts.Create(ctx, "u1", contacts.Input{Name: name, Company: "Navy"}, contacts.CreateOpts{}); err != nil {
			t.Fatal(err)
		}
	}
	const asks = 8
	type answer struct {
		pairs []contacts.DuplicatePair
		err   error
	}
	answers := make(chan answer, asks)
	for range asks {
		go func() {
			pairs, err := svc.Duplicates(ctx, "u1")
			answers <- answer{pairs, err}
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); firsts.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no reading started")
		}
	}
	time.Sleep(300 * time.Millisecond) // for the other asks to come in
	close(gate)
	for range asks {
		if a := <-answers; a.err != nil || len(a.pairs) != 1 {
			t.Fatalf("an ask: %d pairs, %v", len(a.pairs), a.err)
		}
	}
	if n := firsts.Load(); n != 1 {
		t.Fatalf("%d readings of the contacts for %d asks at once, want 1", n, asks)
	}
	// Asked again once those have answered: read again (nothing is kept).
	if _, err := svc.Contacts.Create(ctx, "u1", contacts.Input{Name: "Ada Lovelace"}, contacts.CreateOpts{}); err != nil {
		t.Fatal(err)
	}
	if pairs, err := svc.Duplicates(ctx, "u1"); err != nil || len(pairs) != 1 || firsts.Load() != 2 {
		t.Fatalf("asked again: %d pairs, %v; %d readings", len(pairs), err, firsts.Load())
	}
}
