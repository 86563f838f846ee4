package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

// The store checks its file's integrity (PRAGMA quick_check) when it opens
// and every IntegrityEvery after, and Ping — /readyz — answers Unavailable
// while the last check found damage (PRODUCT.md §5): a damaged file is not
// ready, even if the round trip Ping makes happens to touch sound pages.

// IntegrityEvery is how often the file is checked after the check at open.
const IntegrityEvery = 10 * time.Minute

// integrityTimeout bounds one check: on a very large file the check goes
// on past it the next time, and a check cut short finds nothing.
const integrityTimeout = 30 * time.Second

// integrityProblems is how many problems one check reports at most.
const integrityProblems = 10

// CheckIntegrity runs PRAGMA quick_check on its own read-only connection
// and keeps the result for Ping: nil when the file is sound (or the check
// did not finish in time), else Unavailable with the problems found.
func (db *DB) CheckIntegrity(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, integrityTimeout)
	defer cancel()
	problems, err := db.quickCheck(ctx)
	var damage error
	switch {
	case err != nil && ctx.Err() != nil:
		// Not finished: no verdict; the last one stands.
		return db.integrity()
	case err != nil:
		damage = apperr.Wrap(apperr.Unavailable, err, "the database file could not be checked; restore it from a backup (GET /v1/export)")
	case len(problems) > 0:
		damage = apperr.Wrap(apperr.Unavailable, errors.New(strings.Join(problems, "; ")),
			"the database file %s is damaged; stop the server and restore it from a backup", db.Path)
	}
	db.damage.Store(&damage)
	return damage
}

// quickCheck returns what PRAGMA quick_check reports wrong (nothing when
// it says "ok").
func (db *DB) quickCheck(ctx context.Context) ([]string, error) {
	fresh, err := openPool(db.Path, true, 0)
	if err != nil {
		return nil, err
	}
	defer fresh.Close()
	rows, err := fresh.QueryContext(ctx, fmt.Sprintf("PRAGMA quick_check(%d)", integrityProblems))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	return problems, rows.Err()
}

// integrity is the last check's verdict (nil: sound, or not checked yet).
func (db *DB) integrity() error {
	if p := db.damage.Load(); p != nil {
		return *p
	}
	return nil
}

// watchIntegrity checks the file every IntegrityEvery until Close, logging
// nothing itself: Ping reports what it found.
func (db *DB) watchIntegrity() {
	t := time.NewTicker(IntegrityEvery)
	defer t.Stop()
	for {
		select {
		case <-db.quit:
			return
		case <-t.C:
			db.CheckIntegrity(context.Background())
		}
	}
}
