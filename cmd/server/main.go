// Command server runs Rapport: the HTTP API, the embedded store (or a
// connection to MongoDB) and the schedulers, configured by the environment
// (see PRODUCT.md §1 and the README).
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/robfig/cron/v3"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/app"
	"github.com/rapport-crm/rapport/pkg/config"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/dav"
	"github.com/rapport-crm/rapport/pkg/delivery"
	"github.com/rapport-crm/rapport/pkg/dispatch"
	"github.com/rapport-crm/rapport/pkg/engine"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/inbound"
	"github.com/rapport-crm/rapport/pkg/metrics"
	"github.com/rapport-crm/rapport/pkg/mongodb"
	"github.com/rapport-crm/rapport/pkg/netguard"
	"github.com/rapport-crm/rapport/pkg/ratelimit"
	"github.com/rapport-crm/rapport/pkg/sqlite"
	"github.com/rapport-crm/rapport/pkg/web"
)

func main() {
	// -healthcheck asks the server at CRM_ADDR for /healthz and exits 0 or
	// 1: the container image has no shell or curl for a HEALTHCHECK.
	if len(os.Args) == 2 && os.Args[1] == "-healthcheck" {
		os.Exit(healthcheck(os.Getenv("CRM_ADDR")))
	}
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rapport:", err)
		os.Exit(2)
	}
	// A first argument that is not a flag names an operator's command
	// (admin.go); the test binary runs main with its own flags.
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-") {
		if _, ok := adminCommands[os.Args[1]]; !ok {
			fmt.Fprintf(os.Stderr, "rapport: no command %q; with none it serves. Commands:\n", os.Args[1])
			for _, name := range slices.Sorted(maps.Keys(adminCommands)) {
				c := adminCommands[name]
				fmt.Fprintf(os.Stderr, "  %s\n      %s\n", strings.TrimSpace(name+" "+c.args), c.about)
			}
			os.Exit(2)
		}
		os.Exit(admin(context.Background(), cfg, os.Args[1:], os.Stdout, os.Stderr))
	}
	m := NewMain(cfg, newLogger(cfg, os.Stderr))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := m.Run(ctx); err != nil {
		m.Logger.Error("cannot start", "err", err)
		m.Close()
		os.Exit(1)
	}
	select {
	case <-ctx.Done():
	case err := <-m.Down():
		m.Logger.Error("a listener stopped; exiting", "err", err)
		m.Close()
		os.Exit(1)
	}
	m.Logger.Info("shutting down")
	if err := m.Close(); err != nil {
		m.Logger.Error("shutdown", "err", err)
		os.Exit(1)
	}
}

// Main is one server process: its configuration and the parts it wires.
type Main struct {
	Config *config.Config
	Logger *slog.Logger
	// Now is the clock handed to every part (tests replace it).
	Now func() time.Time
	// SelectTimeout bounds how long a request waits for an unreachable
	// store before answering 503 (zero: the store's default).
	SelectTimeout time.Duration

	// Engine is the store the process works on, set once Run has
	// returned: the embedded SQLite file by default, MongoDB with
	// MONGODB_URI.
	Engine   *engine.Engine
	Accounts *accounts.Service
	CRM      *crm.Service
	API      *api.Server
	// Importer syncs followed calendars.
	Importer *events.Importer
	// Dispatcher sends nudges and agendas; the cron only triggers it.
	Dispatcher *dispatch.Dispatcher
	// Resolver looks up the hosts of webhook and calendar URLs; nil is the
	// system's (tests set netguard.Offline).
	Resolver netguard.Resolver
	// Addr is where the HTTP server listens once Run has returned.
	Addr string
	// InboundAddr is where the inbound SMTP listener listens ("" if off).
	InboundAddr string
	inbound     *inbound.Server
	inboundErr  chan error
	// davChanges is the DAV change journal the sweep prunes.
	davChanges dav.Changes
	// agedUntil is up to when the sweep has journaled the done tasks that
	// left the task list (zero: not since start).
	agedMu    sync.Mutex
	agedUntil time.Time

	ln       net.Listener
	serveErr chan error
	cron     *cron.Cron
	// closing is set by Close; down hears of a listener that stopped
	// before it (see Down).
	closing atomic.Bool
	down    chan error
}

// Down reports a listener that stopped serving on its own, not by Close:
// the process can no longer do its job, and main exits so that whatever
// runs it starts it again.
func (m *Main) Down() <-chan error { return m.down }

// serve runs a listener's serve loop, handing its end to done and, if
// Close did not cause it, to Down.
func (m *Main) serve(what string, run func() error, done chan<- error) {
	err := run()
	if !m.closing.Load() {
		if err == nil {
			err = errors.New("stopped")
		}
		select {
		case m.down <- fmt.Errorf("%s listener: %w", what, err):
		default:
		}
	}
	done <- err
}

// openEngine opens the store the configuration names: MongoDB with
// MONGODB_URI, else the embedded SQLite file in CRM_DATA_DIR. ctx bounds
// connecting; ictx the start-up work (migrations, indexes).
func (m *Main) openEngine(ctx, ictx context.Context) (*engine.Engine, error) {
	cfg := m.Config
	if cfg.MongoURI == "" {
		db, err := sqlite.Open(ictx, cfg.DataDir)
		if err != nil {
			return nil, err
		}
		db.LogTo(m.Logger)
		return db.Engine(), nil
	}
	st, err := mongodb.Open(ctx, mongodb.Options{URI: cfg.MongoURI, DBName: cfg.DBName, Logger: m.Logger, SelectTimeout: m.SelectTimeout})
	if err != nil {
		return nil, err
	}
	eng, err := st.Engine(ictx)
	if err != nil {
		st.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return eng, nil
}

// NewMain returns a Main for cfg.
func NewMain(cfg *config.Config, logger *slog.Logger) *Main {
	return &Main{Config: cfg, Logger: logger, Now: time.Now, down: make(chan error, 1)}
}

// Run opens the store, creates indexes, starts the schedulers and starts
// serving HTTP; it returns once the server listens.
func (m *Main) Run(ctx context.Context) error {
	cfg := m.Config
	start := time.Now()
	ictx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	eng, err := m.openEngine(ctx, ictx)
	if err != nil {
		return err
	}
	m.Engine = eng
	guard := netguard.Guard{AllowPrivate: cfg.AllowPrivateURLs, Resolver: m.Resolver}
	sv := app.New(eng, app.Options{Now: m.Now, Guard: guard, CalendarTimeout: 20 * time.Second})
	m.Accounts, m.CRM, m.Importer = sv.Accounts, sv.CRM, sv.Importer
	idem := sv.Idempotency
	// Contacts stored before companies existed are linked to theirs, once
	// (minutes at most, on a large store).
	lctx, lcancel := context.WithTimeout(ctx, 10*time.Minute)
	defer lcancel()
	if n, err := m.CRM.LinkCompanies(lctx, m.Accounts); err != nil {
		return fmt.Errorf("linking contacts to companies: %w", err)
	} else if n > 0 {
		m.Logger.Info("linked existing contacts to their companies", "contacts", n)
	}

	// A scanned Rapport card's vCard, fetched like a calendar import: no
	// private addresses unless CRM_ALLOW_PRIVATE_URLS, bounded in size and time.
	cardClient := guard.Client(10*time.Second, 2)
	fetchCard := func(ctx context.Context, u string) ([]byte, error) {
		return netguard.Fetch(ctx, cardClient, u, codec.MaxCardVCF)
	}
	var mailer dispatch.Mailer // nil: the email channel is off
	if cfg.SMTPURL != "" {
		if mailer, err = delivery.NewMailer(cfg.SMTPURL, cfg.MailFrom); err != nil {
			return err
		}
	} else {
		m.Logger.Info("email channel off: CRM_SMTP_URL is not set; nudges go to webhooks and calendar feeds only")
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.API = api.New(api.Deps{
		Ping: eng.Ping, StoreKind: eng.Kind, Accounts: m.Accounts, CRM: m.CRM, Importer: m.Importer, Idempotency: idem, Logger: m.Logger, Registry: reg,
		OpenSignup: cfg.OpenSignup, BaseURL: cfg.BaseURL, Now: m.Now, ExtraMethods: dav.Methods, InboundDomain: cfg.InboundDomain, MCPOrigins: cfg.MCPOrigins, TrustedProxies: cfg.TrustedProxies, FetchCard: fetchCard,
	})
	// The phone pages share the API's app (its access log, metrics and
	// error pages) and its limiter on failed sign-ins.
	web.Register(m.API.App, web.Deps{Accounts: m.Accounts, CRM: m.CRM, Importer: m.Importer, Idempotency: idem, AuthFails: m.API.AuthFails, Downloads: m.API.Downloads, Requests: m.API.Requests,
		BaseURL: cfg.BaseURL, Now: m.Now, OpenSignup: cfg.OpenSignup, Mailer: mailer, Logger: m.Logger, InboundDomain: cfg.InboundDomain, FetchCard: fetchCard})
	// The phone's address book and reminders (CardDAV, CalDAV) on the same
	// app and limiter.
	davDeps := dav.Deps{Accounts: m.Accounts, CRM: m.CRM, AuthFails: m.API.AuthFails, Requests: m.API.Requests, Logger: m.Logger.With("component", "dav"),
		Now: m.Now, BaseURL: cfg.BaseURL}
	davDeps.Changes = eng.Changes
	dav.Register(m.API.App, davDeps)
	m.davChanges = davDeps.Changes

	m.Dispatcher = &dispatch.Dispatcher{
		Followups: m.CRM.Followups, Accounts: m.Accounts, Contacts: m.CRM.Contacts, Events: m.CRM.Events,
		Mailer: mailer, Webhooks: delivery.Webhooks{Client: guard.Client(15*time.Second, 0)}, BaseURL: cfg.BaseURL,
		Now: m.Now, Logger: m.Logger.With("component", "dispatcher"), Metrics: metrics.NewDispatcher(reg), Recaps: m.CRM.Recaps,
	}
	if err := m.startCron(idem); err != nil {
		return err
	}

	budget, smtpTotal := connBudget(), 0
	if cfg.InboundAddr != "" {
		smtpTotal = min(smtpConns, budget/4)
	}
	m.ln, err = listen(cfg.Addr, httpPerClient, budget-smtpTotal, nil, cfg.TrustedProxies, m.Logger)
	if err != nil {
		return fmt.Errorf("listen on CRM_ADDR %s: %w", cfg.Addr, err)
	}
	m.Addr = m.ln.Addr().String()
	if cfg.InboundAddr != "" {
		// Logging email by BCC: an SMTP listener for log+<secret>@domain.
		iln, err := listen(cfg.InboundAddr, smtpPerClient, smtpTotal, []byte("421 4.7.0 too many connections from your address\r\n"), nil, m.Logger)
		if err != nil {
			m.ln.Close()
			return fmt.Errorf("listen on CRM_INBOUND_ADDR %s: %w", cfg.InboundAddr, err)
		}
		m.InboundAddr = iln.Addr().String()
		var tlsConfig *tls.Config
		if cfg.InboundTLSCert != "" {
			if tlsConfig, err = inbound.CertFiles(cfg.InboundTLSCert, cfg.InboundTLSKey, m.Logger); err != nil {
				m.ln.Close()
				iln.Close()
				return fmt.Errorf("CRM_INBOUND_TLS_CERT: %w", err)
			}
		}
		m.inbound = inbound.New(inbound.Deps{Accounts: m.Accounts, CRM: m.CRM, Idempotency: idem, Domain: cfg.InboundDomain,
			Logger: m.Logger.With("component", "inbound"), Now: m.Now, TLS: tlsConfig})
		m.inboundErr = make(chan error, 1)
		go m.serve("inbound SMTP", func() error { return m.inbound.Serve(iln) }, m.inboundErr)
		m.Logger.Info("inbound mail listening", "addr", m.InboundAddr, "domain", cfg.InboundDomain, "starttls", tlsConfig != nil)
	}
	m.serveErr = make(chan error, 1)
	go m.serve("HTTP", func() error { return m.API.App.Listener(m.ln) }, m.serveErr)

	attrs := []any{"addr", m.Addr, "store", eng.Kind, "startup_ms", time.Since(start).Milliseconds(), "at", eng.Where}
	m.Logger.Info("rapport listening", attrs...)
	return nil
}

// startCron schedules the dispatcher (CRM_DISPATCH_SCHEDULE) and the
// hourly purge of expired idempotency records. The cron runs in UTC, recovers
// from panics and skips a tick while the previous one still runs; the work
// itself is claimed through leases in the store, so any number of processes
// may run the same schedule.
func (m *Main) startCron(idem *idempotency.Store) error {
	cl := cronLogger{m.Logger.With("component", "cron")}
	m.cron = cron.New(cron.WithLocation(time.UTC), cron.WithLogger(cl),
		cron.WithChain(cron.Recover(cl), cron.SkipIfStillRunning(cl)))
	if _, err := m.cron.AddFunc(m.Config.DispatchSchedule, func() {
		if err := m.Dispatcher.RunOnce(context.Background()); err != nil {
			m.Logger.Warn("dispatch tick", "err", err)
		}
	}); err != nil {
		return fmt.Errorf("CRM_DISPATCH_SCHEDULE: %w", err)
	}
	if _, err := m.cron.AddFunc(m.Config.SyncSchedule, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		synced, failed, err := m.Importer.SyncAll(ctx, 5*time.Minute, func(ctx context.Context, userID string) (string, error) {
			u, err := m.Accounts.User(ctx, userID)
			if err != nil {
				return "", err
			}
			return u.Timezone, nil
		})
		if err != nil {
			m.Logger.Warn("calendar sync", "err", err)
		} else if synced+failed > 0 {
			m.Logger.Info("calendar sync", "synced", synced, "failed", failed)
		}
	}); err != nil {
		return fmt.Errorf("CRM_SYNC_SCHEDULE: %w", err)
	}
	if _, err := m.cron.AddFunc("@every 10m", m.sweep); err != nil {
		return err
	}
	if _, err := m.cron.AddFunc("@every 1h", func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if n, err := idem.Purge(ctx); err != nil {
			m.Logger.Warn("purge idempotency records", "err", err)
		} else if n > 0 {
			m.Logger.Debug("purged idempotency records", "count", n)
		}
		if _, err := m.Dispatcher.PurgeLeases(ctx); err != nil {
			m.Logger.Warn("purge dispatch leases", "err", err)
		}
		if _, err := m.Dispatcher.PurgeNudged(ctx); err != nil {
			m.Logger.Warn("purge nudge records", "err", err)
		}
		m.purgeDeleted()
	}); err != nil {
		return err
	}
	m.cron.Start()
	go m.sweep() // after a restart, catch up at once
	go m.purgeDeleted()
	return nil
}

// purgeDeleted finishes purging deleted accounts whose purge was cut
// short (the process ended, the store was away).
func (m *Main) purgeDeleted() {
	ctx, cancel := context.WithTimeout(context.Background(), accounts.PurgeTimeout)
	defer cancel()
	if n, err := m.Accounts.PurgeDeleted(ctx); err != nil {
		m.Logger.Warn("purge deleted accounts", "err", err, "purged", n)
	} else if n > 0 {
		m.Logger.Info("purged deleted accounts", "count", n)
	}
}

// sweep recomputes every user's next dispatch time from the follow-ups,
// the safety net behind the wakes requests send (see dispatch.Dispatcher.Sweep).
func (m *Main) sweep() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var users []accounts.User
	if err := m.Accounts.ForEachUser(ctx, func(u *accounts.User) error { users = append(users, *u); return nil }); err != nil {
		m.Logger.Warn("sweep", "err", err)
		return
	}
	if _, err := m.Dispatcher.Sweep(ctx, users); err != nil {
		m.Logger.Warn("sweep", "err", err)
	}
	if m.davChanges != nil {
		// Clients more than journalKept changes behind sync from scratch.
		if _, err := m.davChanges.Prune(ctx, journalKept); err != nil {
			m.Logger.Warn("sweep: prune the DAV change journal", "err", err)
		}
		m.ageOutTasks(ctx)
	}
}

// ageOutTasks journals the done tasks that left the task list since the
// last sweep (the day before, after a start), so clients syncing with a
// token drop them as well.
func (m *Main) ageOutTasks(ctx context.Context) {
	m.agedMu.Lock()
	defer m.agedMu.Unlock()
	now := m.Now()
	last := m.agedUntil
	if last.IsZero() {
		last = now.Add(-24 * time.Hour)
	}
	from, to := dav.AgeOutWindow(last, now)
	if _, err := m.davChanges.AgeOut(ctx, from, to); err != nil {
		m.Logger.Warn("sweep: journal the tasks that left the list", "err", err)
		return
	}
	m.agedUntil = now
}

// journalKept is how many changes of each user's address book and task
// list the DAV journal keeps.
const journalKept = 20_000

// cronLogger passes robfig/cron's logs to slog.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug(msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error(msg, append(kv, "err", err)...)
}

// Close stops accepting requests, waits for those in flight (up to 20s)
// and for a running dispatch, then closes the store.
func (m *Main) Close() error {
	m.closing.Store(true)
	var errs []error
	start := time.Now()
	if m.API != nil && m.ln != nil {
		if err := m.API.App.ShutdownWithTimeout(20 * time.Second); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		}
		// A serve loop that had not started when Shutdown looked (Close
		// right after Run) would accept for ever: its listener goes too.
		m.ln.Close()
		<-m.serveErr
		m.Logger.Info("http server stopped", "after_ms", time.Since(start).Milliseconds())
	}
	if m.inbound != nil {
		m.inbound.Close()
		<-m.inboundErr
	}
	if m.cron != nil {
		<-m.cron.Stop().Done() // lets a running dispatch finish
		m.Logger.Info("scheduler stopped", "after_ms", time.Since(start).Milliseconds())
	}
	if m.Engine != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.Engine.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
		}
		m.Logger.Info("store closed", "after_ms", time.Since(start).Milliseconds())
	}
	return errors.Join(errs...)
}

// newLogger builds the process logger from CRM_LOG_FORMAT and CRM_LOG_LEVEL.
func newLogger(cfg *config.Config, w *os.File) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// healthcheck returns 0 if the server listening on addr answers /healthz.
func healthcheck(addr string) int {
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return 1
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort(host, port) + "/healthz")
	if err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 1
	}
	return 0
}

// The bounds on the connections the listeners keep open (pkg/ratelimit's
// Listener): no one client, nor a crowd, can take the descriptors every
// listener, the store and every outgoing call share — at the limit
// fasthttp stopped accepting for good.
const (
	// httpPerClient is how many HTTP connections one address (an IPv6
	// /64) may keep open, a trusted proxy's aside: a browser opens six, an
	// office behind one address a few dozen.
	httpPerClient = 256
	// smtpPerClient is how many SMTP connections one address may keep
	// open: a mail server delivers over one or a few.
	smtpPerClient = 10
	// smtpConns is how many SMTP connections may be open in all (at most a
	// quarter of the budget).
	smtpConns = 1000
	// fdReserve is what connBudget leaves for the store's files, outgoing
	// calls (mail, webhooks, calendars) and the rest.
	fdReserve = 256
)

// connBudget is how many connections the listeners may keep open
// together: the process's descriptor limit (which Go raises to the hard
// limit at start) less fdReserve.
func connBudget() int {
	limit := 1024
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err == nil {
		limit = int(min(r.Cur, math.MaxInt32))
	}
	return max(64, limit-fdReserve)
}

// listen listens on addr within the bounds: at most perClient connections
// from one address (none but trusted proxies exempt), total in all, refuse
// written to one refused.
func listen(addr string, perClient, total int, refuse []byte, trusted ratelimit.Blocks, log *slog.Logger) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &ratelimit.Listener{Listener: ln, PerClient: perClient, Total: total, Refuse: refuse, Logger: log, Exempt: trusted}, nil
}
