// Command server runs Rapport: the HTTP API, the embedded store (or a
// connection to MongoDB) and the schedulers, configured by the environment
// (see PRODUCT.md §1 and the README).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/config"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/store"
)

func main() {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rapport:", err)
		os.Exit(2)
	}
	m := NewMain(cfg, newLogger(cfg, os.Stderr))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := m.Run(ctx); err != nil {
		m.Logger.Error("cannot start", "err", err)
		m.Close()
		os.Exit(1)
	}
	<-ctx.Done()
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

	Store    *store.Store
	Accounts *accounts.Service
	CRM      *crm.Service
	API      *api.Server
	// Addr is where the HTTP server listens once Run has returned.
	Addr string

	ln       net.Listener
	serveErr chan error
	janitor  context.CancelFunc
}

// NewMain returns a Main for cfg.
func NewMain(cfg *config.Config, logger *slog.Logger) *Main {
	return &Main{Config: cfg, Logger: logger, Now: time.Now}
}

// Run opens the store, creates indexes, starts the schedulers and starts
// serving HTTP; it returns once the server listens.
func (m *Main) Run(ctx context.Context) error {
	cfg := m.Config
	start := time.Now()
	st, err := store.Open(ctx, store.Options{
		URI: cfg.MongoURI, DataDir: cfg.DataDir, DBName: cfg.DBName,
		EmbeddedAddr: cfg.EmbeddedAddr, Logger: m.Logger, SelectTimeout: m.SelectTimeout,
	})
	if err != nil {
		return err
	}
	m.Store = st
	m.Accounts = accounts.New(st.DB)
	m.Accounts.Now = m.Now
	idem := idempotency.New(st.DB)
	idem.Now = m.Now
	m.CRM = crm.New(st.DB, m.Now)

	ictx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for _, ensure := range []func(context.Context) error{m.Accounts.EnsureIndexes, idem.EnsureIndexes, m.CRM.EnsureIndexes} {
		if err := ensure(ictx); err != nil {
			return fmt.Errorf("store at start: %w", err)
		}
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.API = api.New(api.Deps{
		Store: st, Accounts: m.Accounts, CRM: m.CRM, Idempotency: idem, Logger: m.Logger, Registry: reg,
		OpenSignup: cfg.OpenSignup, BaseURL: cfg.BaseURL, Now: m.Now,
	})

	m.ln, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on CRM_ADDR %s: %w", cfg.Addr, err)
	}
	m.Addr = m.ln.Addr().String()
	m.serveErr = make(chan error, 1)
	go func() { m.serveErr <- m.API.App.Listener(m.ln) }()

	jctx, jcancel := context.WithCancel(context.Background())
	m.janitor = jcancel
	go m.runJanitor(jctx, idem)

	attrs := []any{"addr", m.Addr, "store", st.Kind, "db", cfg.DBName, "startup_ms", time.Since(start).Milliseconds()}
	if st.Kind == "embedded" {
		attrs = append(attrs, "data_dir", cfg.DataDir)
		if st.Addr != "" {
			attrs = append(attrs, "embedded_addr", st.Addr)
		}
	}
	m.Logger.Info("rapport listening", attrs...)
	return nil
}

// runJanitor deletes expired idempotency records once an hour.
func (m *Main) runJanitor(ctx context.Context, idem *idempotency.Store) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Minute)
		if n, err := idem.Purge(pctx); err != nil {
			if ctx.Err() == nil {
				m.Logger.Warn("purge idempotency records", "err", err)
			}
		} else if n > 0 {
			m.Logger.Debug("purged idempotency records", "count", n)
		}
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close stops accepting requests, waits for those in flight (up to 20s),
// then closes the store.
func (m *Main) Close() error {
	var errs []error
	if m.janitor != nil {
		m.janitor()
	}
	if m.API != nil && m.ln != nil {
		if err := m.API.App.ShutdownWithTimeout(20 * time.Second); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		}
		<-m.serveErr
	}
	if m.Store != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.Store.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
		}
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
