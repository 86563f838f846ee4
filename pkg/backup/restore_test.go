package backup_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/app"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/apptest"
	"github.com/rapport-crm/rapport/pkg/backup"
	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/enginetest"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/record"
)

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// gatedContacts is a real contacts store whose archive's restores are
// watched: the first waits (within wait) for the document to be read up
// to ahead bytes, and each records how far it had been read; the batch
// numbered failAt fails as a store that went away.
type gatedContacts struct {
	contacts.Store
	read    *countingReader
	ahead   int64
	wait    time.Duration
	failAt  int
	batches int
	readAt  []int64
}

func (g *gatedContacts) ContactArchive() record.Archive[contacts.Contact] {
	return gatedArchive{Archive: g.Store.ContactArchive(), g: g}
}

type gatedArchive struct {
	record.Archive[contacts.Contact]
	g *gatedContacts
}

func (a gatedArchive) Restore(ctx context.Context, cs []*contacts.Contact) error {
	g := a.g
	if g.batches++; g.batches == 1 {
		for deadline := time.Now().Add(g.wait); g.read.n.Load() < g.ahead && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	g.readAt = append(g.readAt, g.read.n.Load())
	if g.batches == g.failAt {
		return apperr.E(apperr.Unavailable, "the store went away")
	}
	return a.Archive.Restore(ctx, cs)
}

// signUp makes the account a test restores into.
func signUp(t *testing.T, sv *app.Services, email, name string) *accounts.User {
	t.Helper()
	u, _, err := sv.Accounts.Signup(t.Context(), accounts.SignupInput{Email: email, Name: name}, true)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// backupOf is a backup of n contacts, and where each contact's record
// begins in it.
func backupOf(n int) ([]byte, []int) {
	var b bytes.Buffer
	b.WriteString(`{"format":"rapport-backup","version":1,"contacts":[`)
	at := make([]int, n)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		at[i] = b.Len()
		fmt.Fprintf(&b, `{"id":"c%d","name":"Person %d","emails":["p%d@example.com"],"notes":"%s","created_at":"2026-11-01T18:00:00Z","updated_at":"2026-11-01T18:00:00Z"}`,
			i, i, i, strings.Repeat("x", 200))
	}
	b.WriteString("]}")
	return b.Bytes(), at
}

// TestRestoreReadsWhileWriting: a restore reads and re-keys the next batch
// of its document while the one before is written (on the store's single
// writer), never more than a batch ahead; a batch that fails to be written
// stops the reading and is the restore's error, and the batches written
// before it are removed.
func TestRestoreReadsWhileWriting(t *testing.T) {
	sv := apptest.Services(enginetest.Open(t), time.Now)
	u := signUp(t, sv, "ada@example.com", "Ada")
	batch := backup.BatchSize
	doc, at := backupOf(6 * batch)
	r := &countingReader{r: bytes.NewReader(doc)}
	// Restoring the first batch waits until the reader has reached the
	// third.
	g := &gatedContacts{Store: sv.CRM.Contacts.Store, read: r, ahead: int64(at[2*batch]), wait: 10 * time.Second, failAt: 3}
	sv.CRM.Contacts.Store = g
	_, err := backup.Import(t.Context(), sv.CRM, sv.Accounts, sv.Idempotency, u, r)
	if !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("a restore whose store went away: %v", err)
	}
	if g.readAt[0] < g.ahead {
		t.Fatalf("the first batch's write waited %v with the document read to byte %d of %d: it is not read while a batch is written", g.wait, g.readAt[0], g.ahead)
	}
	// At batch k the reader has handed over batch k, may hold k+1 ready
	// and be reading k+2: never into batch k+3.
	for k, n := range g.readAt {
		if i := (k + 3) * batch; i < len(at) && n > int64(at[i])+64<<10 {
			t.Fatalf("the document was read to byte %d when batch %d was written: more than a batch ahead", n, k+1)
		}
	}
	if n := r.n.Load(); n > int64(at[5*batch])+64<<10 {
		t.Fatalf("the reading went on to byte %d of %d after the third batch failed", n, len(doc))
	}
	// The two batches written went again with the failure.
	left := 0
	if err := g.Store.ContactArchive().Each(t.Context(), u.ID, func(*contacts.Contact) error { left++; return nil }); err != nil || left != 0 {
		t.Fatalf("%d contacts left by the failed restore (%v)", left, err)
	}
}

// TestRestoreOneAtATime: while a restore runs, another into the same
// account is a Conflict that reads and writes nothing (both would find the
// account empty, and both restore into it); another user's restore runs
// meanwhile. Once the first has finished, the next is refused for the
// contacts it brought, as before. A hold whose restore died with its
// process lapses once no restore could still be running.
func TestRestoreOneAtATime(t *testing.T) {
	clock := apptest.NewClock(apptest.Start)
	sv := apptest.Services(enginetest.Open(t), clock.Now)
	signup := func(email string) *accounts.User { return signUp(t, sv, email, email) }
	ada, bob, cy := signup("ada@example.com"), signup("bob@example.com"), signup("cy@example.com")
	restore := func(u *accounts.User, r io.Reader) (*backup.ImportResult, error) {
		return backup.Import(t.Context(), sv.CRM, sv.Accounts, sv.Idempotency, u, r)
	}
	small, _ := backupOf(3)

	// Ada's first restore has read 100 contacts (less than a batch: it has
	// written nothing yet) and waits for the rest of its upload.
	doc, at := backupOf(1200)
	pr, pw := io.Pipe()
	type outcome struct {
		res *backup.ImportResult
		err error
	}
	first := make(chan outcome, 1)
	go func() {
		res, err := restore(ada, pr)
		first <- outcome{res, err}
	}()
	if _, err := pw.Write(doc[:at[100]]); err != nil {
		t.Fatal(err)
	}
	second := &countingReader{r: bytes.NewReader(small)}
	if res, err := restore(ada, second); !apperr.Is(err, apperr.Conflict) || !strings.Contains(apperr.PublicOf(err), "being restored") {
		t.Fatalf("a second restore while the first runs: %+v, %v", res, err)
	}
	if n := second.n.Load(); n != 0 {
		t.Fatalf("the refused restore read %d bytes of its backup", n)
	}
	if res, err := restore(bob, bytes.NewReader(small)); err != nil || res.Restored["contacts"] != 3 {
		t.Fatalf("another user's restore meanwhile: %+v, %v", res, err)
	}
	if _, err := pw.Write(doc[at[100]:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if got := <-first; got.err != nil || got.res.Restored["contacts"] != 1200 {
		t.Fatalf("the first restore: %+v, %v", got.res, got.err)
	}
	if _, err := restore(ada, bytes.NewReader(small)); !apperr.Is(err, apperr.Conflict) || !strings.Contains(apperr.PublicOf(err), "has contacts") {
		t.Fatalf("a restore once the first has finished: %v", err)
	}

	// Cy's restore died with its process, holding its hold (Bulk, as
	// backup.Import names it) and renewing it no more: refused until the
	// hold lapses, two minutes on.
	dead, die := context.WithCancel(t.Context())
	if _, _, err := sv.Idempotency.Hold(dead, cy.ID, idempotency.Bulk, "a backup is being restored into this account", time.Hour); err != nil {
		t.Fatal(err)
	}
	die()
	if _, err := restore(cy, bytes.NewReader(small)); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a restore beside a dead one's hold: %v", err)
	}
	clock.Add(time.Minute)
	if _, err := restore(cy, bytes.NewReader(small)); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a restore beside a dead one's hold a minute on: %v", err)
	}
	clock.Add(time.Minute + time.Second)
	if res, err := restore(cy, bytes.NewReader(small)); err != nil || res.Restored["contacts"] != 3 {
		t.Fatalf("a restore once the dead one's hold lapsed: %+v, %v", res, err)
	}
}

// linkFails is a unit of work whose contacts store fails to set companies
// from the call numbered at on (counted in calls).
type linkFails struct {
	crm.Tx
	calls *atomic.Int32
	at    int32
}

func (u linkFails) Stores() crm.Stores {
	st := u.Tx.Stores()
	st.Contacts = companiesFail{Store: st.Contacts, u: u}
	return st
}

type companiesFail struct {
	contacts.Store
	u linkFails
}

func (s companiesFail) SetCompanies(ctx context.Context, userID string, companyOf map[string]string) error {
	if s.u.calls.Add(1) >= s.u.at {
		return apperr.E(apperr.Unavailable, "the store went away")
	}
	return s.Store.SetCompanies(ctx, userID, companyOf)
}

// TestRestoreOldBackupFailsLinking: a backup from before companies is
// linked to companies after its records are in, 500 contacts a write,
// making the companies they name. If a later write fails, the companies
// the linking made go with the rest of the restore — and the company the
// user had before, which some of the contacts were linked to, stays.
func TestRestoreOldBackupFailsLinking(t *testing.T) {
	eng := enginetest.Open(t)
	calls, failAt := &atomic.Int32{}, &atomic.Int32{}
	failAt.Store(2)
	update := eng.Stores.Update
	eng.Stores.Update = func(ctx context.Context, fn func(context.Context, crm.Tx) error) error {
		return update(ctx, func(ctx context.Context, tx crm.Tx) error {
			return fn(ctx, linkFails{Tx: tx, calls: calls, at: failAt.Load()})
		})
	}
	sv := apptest.Services(eng, time.Now)
	u := signUp(t, sv, "ada@example.com", "Ada")
	acme, err := sv.CRM.Companies.Create(t.Context(), u.ID, companies.Input{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString(`{"format":"rapport-backup","version":1,"contacts":[`)
	for i := range 600 {
		if i > 0 {
			b.WriteByte(',')
		}
		company := fmt.Sprintf("Firm %d", i%40)
		if i%10 == 0 {
			company = "Acme"
		}
		fmt.Fprintf(&b, `{"id":"c%d","name":"Person %d","company":%q,"created_at":"2026-11-01T18:00:00Z","updated_at":"2026-11-01T18:00:00Z"}`, i, i, company)
	}
	b.WriteString("]}")
	doc := b.Bytes()
	res, err := backup.Import(t.Context(), sv.CRM, sv.Accounts, sv.Idempotency, u, bytes.NewReader(doc))
	if !apperr.Is(err, apperr.Unavailable) || calls.Load() != 2 {
		t.Fatalf("a restore whose second linking write fails: %+v, %v (%d writes)", res, err, calls.Load())
	}
	held, err := backup.Held(t.Context(), sv.CRM, u.ID)
	if err != nil || len(held) != 1 || held[0] != "companies" {
		t.Fatalf("after the failed restore the user holds %v (%v), want only the company of before", held, err)
	}
	var left []string
	err = sv.CRM.Companies.Store.CompanyArchive().Each(t.Context(), u.ID, func(c *companies.Company) error {
		left = append(left, c.ID+" "+c.Name)
		return nil
	})
	if err != nil || len(left) != 1 || left[0] != acme.ID+" Acme" {
		t.Fatalf("companies left: %q (%v), want only %s Acme", left, err, acme.ID)
	}

	// Once the store is back, the backup restores whole, its contacts
	// linked: to the company of before and to the 36 firms it names.
	failAt.Store(1 << 30)
	if res, err = backup.Import(t.Context(), sv.CRM, sv.Accounts, sv.Idempotency, u, bytes.NewReader(doc)); err != nil || res.Restored["contacts"] != 600 {
		t.Fatalf("the restore again: %+v, %v", res, err)
	}
	atCompany := map[string]int{}
	err = sv.CRM.Contacts.Store.ContactArchive().Each(t.Context(), u.ID, func(c *contacts.Contact) error {
		atCompany[c.CompanyID]++
		return nil
	})
	if err != nil || len(atCompany) != 37 || atCompany[acme.ID] != 60 || atCompany[""] != 0 {
		t.Fatalf("the restored contacts by company: %v (%v), want 60 at %s and 37 companies", atCompany, err, acme.ID)
	}
}

// TestRestoreRefusesAnAccountWithGroupCards: an account that holds a
// phone's group cards (synced before any contact) is not empty: the
// restore is refused at once, saying so, and writes nothing. It went on
// and failed half way, "two card_groups in the backup share a key".
func TestRestoreRefusesAnAccountWithGroupCards(t *testing.T) {
	sv := apptest.Services(enginetest.Open(t), time.Now)
	u := signUp(t, sv, "ada@example.com", "Ada")
	group := "BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:group\r\nFN:Speakers\r\nEND:VCARD\r\n"
	if err := sv.CRM.Contacts.Store.PutCardGroup(t.Context(), &contacts.CardGroup{ID: record.NewID(), UserID: u.ID, DAVName: "speakers", Name: "Speakers",
		Card: group, UpdatedAt: record.Time(time.Now())}, contacts.CardGroupsFit); err != nil {
		t.Fatal(err)
	}
	doc := fmt.Sprintf(`{"format":"rapport-backup","version":1,"contacts":[{"id":"c1","name":"Jane","created_at":"2026-11-01T18:00:00Z","updated_at":"2026-11-01T18:00:00Z"}],`+
		`"card_groups":[{"id":"g1","card_name":"speakers","name":"Speakers","card":%q,"updated_at":"2026-11-01T18:00:00Z"}]}`, group)
	_, err := backup.Import(t.Context(), sv.CRM, sv.Accounts, sv.Idempotency, u, strings.NewReader(doc))
	if !apperr.Is(err, apperr.Conflict) || !strings.Contains(apperr.PublicOf(err), "groups a phone keeps") {
		t.Fatalf("a restore into an account with group cards: %v", err)
	}
	if held, err := backup.Held(t.Context(), sv.CRM, u.ID); err != nil || !slices.Equal(held, []string{"card_groups"}) {
		t.Fatalf("after the refused restore the user holds %v (%v)", held, err)
	}
}

// TestRestoreBoundsGroupCards: a backup's group cards are held to what a
// phone may keep — at most 16 MiB of them together — and one past it is
// refused, naming card_groups, with nothing restored.
func TestRestoreBoundsGroupCards(t *testing.T) {
	sv := apptest.Services(enginetest.Open(t), time.Now)
	u := signUp(t, sv, "ada@example.com", "Ada")
	member := strings.Repeat("MEMBER:urn:uuid:00000000-0000-4000-8000-000000000000\r\n", 19_000) // 1,026,000 bytes
	var groups []string
	for i := range 17 { // 17 × ~1 MB: past 16 MiB
		card := fmt.Sprintf("BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:group\r\nFN:G%d\r\n%sEND:VCARD\r\n", i, member)
		groups = append(groups, fmt.Sprintf(`{"id":"g%d","card_name":"g%d","name":"G%d","card":%q,"updated_at":"2026-11-01T18:00:00Z"}`, i, i, i, card))
	}
	doc := `{"format":"rapport-backup","version":1,"contacts":[{"id":"c1","name":"Jane","created_at":"2026-11-01T18:00:00Z","updated_at":"2026-11-01T18:00:00Z"}],` +
		`"card_groups":[` + strings.Join(groups, ",") + `]}`
	_, err := backup.Import(t.Context(), sv.CRM, sv.Accounts, sv.Idempotency, u, strings.NewReader(doc))
	if !apperr.Is(err, apperr.Invalid) || !strings.Contains(apperr.PublicOf(err)+fmt.Sprint(apperr.FieldsOf(err)), "card_groups") {
		t.Fatalf("a backup past 16 MiB of group cards: %v", err)
	}
	if held, err := backup.Held(t.Context(), sv.CRM, u.ID); err != nil || len(held) != 0 {
		t.Fatalf("after the refused restore the user holds %v (%v)", held, err)
	}
}

// TestRestoreBoundsEachValue: a restore reads at most backup.MaxValue of
// any one value — a record, or a key's value it skips — before it refuses
// the backup naming the section or key, with nothing restored (the
// decoder held a 100 MiB string whole); the largest record a backup can
// hold, a 1 MiB group card written six times over as JSON, restores.
func TestRestoreBoundsEachValue(t *testing.T) {
	sv := apptest.Services(enginetest.Open(t), time.Now)
	head := `{"format":"rapport-backup","version":1,"contacts":[{"id":"c1","name":"Jane","created_at":"2026-11-01T18:00:00Z","updated_at":"2026-11-01T18:00:00Z"}],`
	huge := strings.Repeat("x", 3*backup.MaxValue)
	for i, tc := range []struct{ name, doc, field string }{
		{"Record", head + `"events":[{"id":"e1","title":"` + huge + `"}]}`, "events"},
		{"SkippedKey", head + `"from_a_later_version":"` + huge + `"}`, "from_a_later_version"},
		{"Key", head + `"` + huge + `":1}`, "backup"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := signUp(t, sv, fmt.Sprintf("u%d@example.com", i), "U")
			read := &countingReader{r: strings.NewReader(tc.doc)}
			_, err := backup.Import(t.Context(), sv.CRM, sv.Accounts, sv.Idempotency, u, read)
			if fields := apperr.FieldsOf(err); !apperr.Is(err, apperr.Invalid) || len(fields) != 1 || fields[0].Field != tc.field {
				t.Fatalf("a value over %d MiB: %v (%+v), want invalid %s", backup.MaxValue>>20, err, fields, tc.field)
			}
			if n := read.n.Load(); n > 2*backup.MaxValue {
				t.Fatalf("read %d MiB of it", n>>20)
			}
			if held, err := backup.Held(t.Context(), sv.CRM, u.ID); err != nil || len(held) != 0 {
				t.Fatalf("after the refused restore the user holds %v (%v)", held, err)
			}
		})
	}
	t.Run("TheLargestRecord", func(t *testing.T) {
		u := signUp(t, sv, "big@example.com", "U")
		prefix, suffix := "BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:group\r\nFN:Big\r\nNOTE:", "\r\nEND:VCARD\r\n"
		card := prefix + strings.Repeat("<", contacts.MaxCardExtra-len(prefix)-len(suffix)) + suffix
		group, err := json.Marshal(map[string]string{"id": "g1", "card_name": "big", "name": "Big", "card": card, "updated_at": "2026-11-01T18:00:00Z"})
		if err != nil || len(group) < 6*contacts.MaxCardExtra-1<<10 {
			t.Fatalf("%d bytes, %v", len(group), err)
		}
		res, err := backup.Import(t.Context(), sv.CRM, sv.Accounts, sv.Idempotency, u, strings.NewReader(head+`"card_groups":[`+string(group)+`]}`))
		if err != nil || res.Restored["card_groups"] != 1 {
			t.Fatalf("a 1 MiB group card (%d bytes as JSON): %+v, %v", len(group), res, err)
		}
	})
}
