package mongotest

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"

	"github.com/FerretDB/FerretDB/ferretdb"

	"github.com/rapport-crm/rapport/pkg/mongodb"
)

// Start starts FerretDB 1.24 (SQLite backend, files in o.DataDir) in this
// process on a Unix socket in a private directory (so no other local user
// can reach the unauthenticated database) and, with o.EmbeddedAddr, on TCP.
// It returns the URI to connect to and how to stop it. It serves
// mongodb.Options.Embed.
func Start(o mongodb.Options) (string, func(), error) {
	dataDir, err := filepath.Abs(o.DataDir)
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", nil, fmt.Errorf("embedded store: %w", err)
	}
	// Unix socket paths are limited to ~100 bytes, so the socket lives in a
	// short private temp directory rather than under the data dir.
	sockDir, err := os.MkdirTemp("", "rapport-db-")
	if err != nil {
		return "", nil, fmt.Errorf("embedded store: %w", err)
	}
	sock := filepath.Join(sockDir, "db.sock")
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	logger := slog.New(levelFloor{h: o.Logger.With("component", "ferretdb").Handler(), min: slog.LevelError})
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: sock, TCP: o.EmbeddedAddr},
		Handler:   "sqlite",
		SQLiteURL: (&url.URL{Scheme: "file", Path: dataDir + "/"}).String(),
		Logger:    logger,
	})
	if err != nil {
		os.RemoveAll(sockDir)
		return "", nil, fmt.Errorf("embedded store: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.Run(ctx)
	}()
	stop := func() {
		cancel()
		<-done
		os.RemoveAll(sockDir)
	}
	return "mongodb://" + url.PathEscape(sock) + "/", stop, nil
}

// levelFloor drops records below min: FerretDB logs each refused command
// (duplicate keys we provoke on purpose, commands the driver probes for) at warn.
type levelFloor struct {
	h   slog.Handler
	min slog.Level
}

func (l levelFloor) Enabled(ctx context.Context, lv slog.Level) bool {
	return lv >= l.min && l.h.Enabled(ctx, lv)
}
func (l levelFloor) Handle(ctx context.Context, r slog.Record) error { return l.h.Handle(ctx, r) }
func (l levelFloor) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFloor{h: l.h.WithAttrs(a), min: l.min}
}
func (l levelFloor) WithGroup(n string) slog.Handler {
	return levelFloor{h: l.h.WithGroup(n), min: l.min}
}
