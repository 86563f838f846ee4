package dispatch_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apptest"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/delivery"
	"github.com/rapport-crm/rapport/pkg/dispatch"
	"github.com/rapport-crm/rapport/pkg/engine"
	"github.com/rapport-crm/rapport/pkg/enginetest"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/mailtest"
	"github.com/rapport-crm/rapport/pkg/mongodb"
	"github.com/rapport-crm/rapport/pkg/mongodb/mongotest"
	"github.com/rapport-crm/rapport/pkg/netguard"
	"github.com/rapport-crm/rapport/pkg/sqlite"
	"github.com/rapport-crm/rapport/pkg/sqlite/sqlitetest"
)

func TestMain(m *testing.M) {
	apptest.KeepIdleConnections()
	os.Exit(mongotest.Run(m))
}

// hook is a webhook receiver that records what it gets.
type hook struct {
	*httptest.Server
	mu       sync.Mutex
	calls    []hookCall
	failNext int           // answer 500 to this many calls
	delay    time.Duration // wait before answering
}

type hookCall struct {
	Body    []byte
	Sig     string
	IdemKey string
	Decoded dispatch.WebhookBody
}

func newHook(tb testing.TB) *hook {
	h := &hook{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		fail, delay := h.failNext > 0, h.delay
		if fail {
			h.failNext--
		}
		h.mu.Unlock()
		time.Sleep(delay)
		if fail {
			http.Error(w, "boom", 500)
			return
		}
		var dec dispatch.WebhookBody
		if err := json.Unmarshal(body, &dec); err != nil {
			http.Error(w, "bad json", 400)
			return
		}
		h.mu.Lock()
		h.calls = append(h.calls, hookCall{Body: body, Sig: r.Header.Get("X-Rapport-Signature"), IdemKey: r.Header.Get("Idempotency-Key"), Decoded: dec})
		h.mu.Unlock()
	}))
	tb.Cleanup(h.Close)
	return h
}

func (h *hook) Calls() []hookCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookCall(nil), h.calls...)
}

func (h *hook) set(failNext int, delay time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failNext, h.delay = failNext, delay
}

type env struct {
	// st is the MongoDB-wire store (nil on SQLite); sql the SQLite one.
	st    *mongodb.DB
	sql   *sqlite.DB
	acc   *accounts.Service
	crm   *crm.Service
	clock *apptest.Clock
	smtp  *mailtest.Server
	hook  *hook
}

// newEnv is a dispatcher's world on the embedded SQLite store, or on the
// MongoDB adapter with RAPPORT_TEST_ENGINE=mongodb (CI runs both).
func newEnv(tb testing.TB, start time.Time) *env {
	tb.Helper()
	return newEnvOn(tb, start, enginetest.Mongo())
}

// newMongoEnv is newEnv on the MongoDB adapter (FerretDB, or MONGODB_URI).
func newMongoEnv(tb testing.TB, start time.Time) *env {
	tb.Helper()
	return newEnvOn(tb, start, true)
}

func newEnvOn(tb testing.TB, start time.Time, mongo bool) *env {
	e := &env{}
	var eng *engine.Engine
	if mongo {
		e.st = mongotest.MustOpen(tb)
		eng = enginetest.OnMongo(tb, e.st)
	} else {
		e.sql = enginetest.SQLite(tb, sqlitetest.Dir(tb))
		eng = enginetest.OnSQLite(tb, e.sql)
	}
	c := apptest.NewClock(start)
	sv := apptest.Services(eng, c.Now)
	e.acc, e.crm, e.clock, e.smtp, e.hook = sv.Accounts, sv.CRM, c, mailtest.Start(tb), newHook(tb)
	return e
}

// exec changes the store under the services, as a crash or a lost write
// would: sql on SQLite, mongo on MongoDB.
func (e *env) exec(tb testing.TB, sqlText string, args []any, mongo func(context.Context, *mongodb.DB) error) {
	tb.Helper()
	var err error
	if e.sql != nil {
		var raw *sql.DB
		if raw, err = sql.Open("sqlite", "file:"+e.sql.Path+"?_pragma=busy_timeout(10000)"); err == nil {
			_, err = raw.ExecContext(tb.Context(), sqlText, args...)
			raw.Close()
		}
	} else {
		err = mongo(tb.Context(), e.st)
	}
	if err != nil {
		tb.Fatal(err)
	}
}

func (e *env) dispatcher(tb testing.TB, owner string) *dispatch.Dispatcher {
	tb.Helper()
	m, err := delivery.NewMailer(e.smtp.URL(), "rapport@example.com")
	if err != nil {
		tb.Fatal(err)
	}
	return &dispatch.Dispatcher{Followups: e.crm.Followups, Accounts: e.acc, Contacts: e.crm.Contacts, Events: e.crm.Events,
		Mailer: m, Webhooks: delivery.Webhooks{Client: netguard.Guard{AllowPrivate: true}.Client(2*time.Second, 0)}, BaseURL: "https://rapport.example",
		Owner: owner, Now: e.clock.Now, Logger: slog.New(slog.DiscardHandler), Recaps: e.crm.Recaps}
}

// user signs up (first or open) and sets settings with a merge patch.
func (e *env) user(tb testing.TB, email string, settings map[string]any) *accounts.User {
	tb.Helper()
	u, _, err := e.acc.Signup(tb.Context(), accounts.SignupInput{Email: email, Name: "User " + email}, true)
	if err != nil {
		tb.Fatal(err)
	}
	if settings != nil {
		patch, _ := json.Marshal(settings)
		if u, err = e.crm.UpdateSettings(tb.Context(), e.acc, u.ID, patch); err != nil {
			tb.Fatal(err)
		}
	}
	return u
}

func (e *env) withHook(secret string) map[string]any {
	return map[string]any{"notify": map[string]any{"webhook_url": e.hook.URL + "/hook", "webhook_secret": secret}}
}

func mustRun(tb testing.TB, d *dispatch.Dispatcher) {
	tb.Helper()
	if err := d.RunOnce(tb.Context()); err != nil {
		tb.Fatal(err)
	}
}

func (e *env) followup(tb testing.TB, u *accounts.User, id string) *followup.FollowUp {
	tb.Helper()
	f, err := e.crm.Followups.Get(tb.Context(), u.ID, id)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func (e *env) contact(tb testing.TB, u *accounts.User, name string) *contacts.Contact {
	tb.Helper()
	c, err := e.crm.CreateContact(tb.Context(), u, contacts.Input{Name: name, Emails: []string{fmt.Sprintf("%s@example.com", name)}})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
