package backup_test

import (
	"bytes"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/apptest"
	"github.com/rapport-crm/rapport/pkg/backup"
	"github.com/rapport-crm/rapport/pkg/enginetest"
)

// FuzzRestore: whatever a backup holds, restoring it into a new account
// either restores it or is refused as the user's error (never an internal
// one), and a refused restore leaves the account holding nothing (a
// backup whose events section was misnamed left its guests behind).
// CI runs it briefly: go test ./pkg/backup -run '^$' -fuzz FuzzRestore -fuzztime 2000x
func FuzzRestore(f *testing.F) {
	sv := apptest.Services(enginetest.Open(f), time.Now)
	f.Add(checkedBackup)
	f.Add(`{"format":"rapport-backup","version":1,"settings":{"timezone":"Asia/Tokyo"},` +
		`"companies":[{"id":"k1","name":"Acme","domain":"acme.example","created_at":"2026-11-01T18:00:00Z","updated_at":"2026-11-01T18:00:00Z"}],` +
		`"opportunities":[{"id":"o1","title":"Staff","kind":"job","stage":"lead","company_id":"k1","created_at":"2026-11-01T18:00:00Z","updated_at":"2026-11-01T18:00:00Z"}],` +
		`"calendars":[{"id":"cal1","url":"https://example.com/c.ics","name":"x","created_at":"2026-11-01T18:00:00Z"}]}`)
	f.Add(strings.TrimSuffix(checkedBackup, "}") + `,"docs":[{"kind":"recommendations","id":"d1","record":{"id":"d1","created_at":"2026-11-02T10:00:00Z",` +
		`"title":"SICP","by":"c1","where":"e1","tags":["go"]}},{"kind":"later","id":"d2","record":{}}]}`)
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, doc string) {
		u := signUp(t, sv, fmt.Sprintf("f%d@example.com", n.Add(1)), "U")
		_, err := backup.Import(t.Context(), sv.CRM, sv.Accounts, sv.Idempotency, u, strings.NewReader(doc))
		if err == nil {
			// What a restore took, the backup Rapport writes of it gives
			// back whole.
			var out bytes.Buffer
			if err := backup.Export(t.Context(), sv.CRM, u, &out); err != nil {
				t.Fatal(err)
			}
			v := signUp(t, sv, fmt.Sprintf("f%d@example.com", n.Add(1)), "U")
			if _, err := backup.Import(t.Context(), sv.CRM, sv.Accounts, sv.Idempotency, v, &out); err != nil {
				t.Fatalf("the backup of a restored account does not restore: %v\n%s", err, doc)
			}
			return
		}
		if apperr.KindOf(err) == apperr.Internal {
			t.Fatalf("a restore failed as the server's error: %v", err)
		}
		if held, herr := backup.Held(t.Context(), sv.CRM, u.ID); herr != nil || len(held) != 0 {
			t.Fatalf("after a refused restore (%v) the account holds %v (%v)", err, held, herr)
		}
	})
}
