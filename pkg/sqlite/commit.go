package sqlite

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

// The committer: write transactions queue (submit), and one goroutine runs
// them in batches on the single write connection, each in a savepoint, with
// one commit (and one fsync) a batch.

// maxBatch bounds how many write transactions one commit carries.
const maxBatch = 64

// job is one queued write transaction.
type job struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
	// state moves once, from jobQueued to jobStarted (the committer runs
	// it) or to jobAbandoned (its caller left before it started).
	state atomic.Int32
}

const (
	jobQueued int32 = iota
	jobStarted
	jobAbandoned
)

// maxQueueWait bounds how long a write whose context has no deadline waits
// for its turn, so that no one write can hold up every writer for ever.
const maxQueueWait = time.Minute

// errClosed answers writes after Close.
var errClosed = apperr.E(apperr.Unavailable, "the store is closed")

// submit queues fn for the committer and waits until it is committed or
// undone. While it waits for its turn it honours ctx (and, without a
// deadline, maxQueueWait): it leaves, and the committer skips it. Once it
// has started it is always waited for: a caller never returns while its
// writes may still land.
func (db *DB) submit(ctx context.Context, fn func(*Tx) error) error {
	if e, _ := ctx.Value(inUnitKey{}).(*file); e == db.file {
		return errOutsideUnit
	}
	j := &job{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case <-db.quit:
		return errClosed
	default:
	}
	select {
	case db.jobs <- j:
	case <-db.quit:
		return errClosed
	case <-ctx.Done():
		return translate(ctx.Err(), "store")
	}
	var deadline <-chan time.Time
	if _, ok := ctx.Deadline(); !ok {
		t := time.NewTimer(maxQueueWait)
		defer t.Stop()
		deadline = t.C
	}
	leave := func(err error) error {
		if j.state.CompareAndSwap(jobQueued, jobAbandoned) {
			return err
		}
		return <-j.done // it started: its writes may land, so wait for them
	}
	select {
	case err := <-j.done:
		return err
	case <-ctx.Done():
		return leave(translate(ctx.Err(), "store"))
	case <-deadline:
		return leave(apperr.E(apperr.Unavailable, "the store is busy; try again"))
	case <-db.committed:
		// The committer answers before it stops: an answer wins.
		select {
		case err := <-j.done:
			return err
		default:
			return errClosed // queued after its last look
		}
	}
}

// committer runs queued write transactions in batches until Close.
func (db *DB) committer() {
	defer close(db.committed)
	// The full-text indexes merge once writes pause (upkeep.go); at start,
	// what an earlier run left.
	idle := time.NewTimer(mergeIdle)
	defer idle.Stop()
	unmerged := 0
	for {
		select {
		case <-idle.C:
			unmerged = 0
			if db.upkeepStep() {
				idle.Reset(0) // more: another step, unless a write comes first
			}
		case <-db.quit:
			for {
				select {
				case j := <-db.jobs:
					j.done <- errClosed
				default:
					return
				}
			}
		case first := <-db.jobs:
			batch := []*job{first}
		gather:
			for len(batch) < maxBatch {
				select {
				case j := <-db.jobs:
					batch = append(batch, j)
				default:
					break gather
				}
			}
			db.commit(batch)
			db.walWritten()
			db.stmts.prepareWanted() // the connection is free
			if unmerged++; unmerged >= mergeEvery {
				unmerged = 0
				db.upkeepStep()
			}
			idle.Reset(mergeIdle)
		}
	}
}

// commit runs batch in one transaction, each job in a savepoint, and
// commits once; a failed commit fails every job of the batch.
func (db *DB) commit(queued []*job) {
	batch := queued[:0]
	for _, j := range queued {
		if j.state.CompareAndSwap(jobQueued, jobStarted) {
			batch = append(batch, j) // else its caller left: skip it
		}
	}
	if len(batch) == 0 {
		return
	}
	// Not a job's context: one caller giving up must not roll back the
	// others' writes.
	sqlTx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		for _, j := range batch {
			j.done <- translate(err, "store")
		}
		return
	}
	tx := &stmtTx{Tx: sqlTx, stmts: db.stmts, whole: true}
	if len(batch) == 1 && batch[0].ctx.Err() == nil {
		db.commitAlone(tx, batch[0])
		return
	}
	errs := make([]error, len(batch))
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			errs[i] = translate(err, "store")
			continue
		}
		var fatal error
		errs[i], fatal = runJob(tx, j)
		if fatal != nil {
			tx.Rollback()
			for _, j := range batch {
				j.done <- translate(fatal, "store")
			}
			return
		}
	}
	if err := tx.Commit(); err != nil {
		for _, j := range batch {
			j.done <- translate(err, "store")
		}
		return
	}
	for i, j := range batch {
		j.done <- errs[i]
	}
}

// commitAlone runs a job that has the transaction to itself: no savepoint,
// so the pages it changes are not copied to a sub-journal first (which
// made a 50,000-row import four times slower); a failure rolls the whole
// transaction back, which undoes the job alone as the savepoint would.
func (db *DB) commitAlone(tx *stmtTx, j *job) {
	if err := j.run(tx); err != nil {
		tx.Rollback()
		j.done <- err
		return
	}
	if cerr := tx.Commit(); cerr != nil {
		j.done <- translate(cerr, "store")
		return
	}
	j.done <- nil
}

// run calls the job's function on tx; a panic in it is its error.
func (j *job) run(tx *stmtTx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: write panicked: %v", p)
		}
	}()
	return j.fn(&Tx{tx: tx})
}

// runJob runs one job in a savepoint of tx and undoes it if it fails (or
// panics); fatal is set when the savepoint itself could not be handled,
// which leaves the transaction unusable.
func runJob(tx *stmtTx, j *job) (err, fatal error) {
	bg := context.Background()
	if _, err := tx.Tx.ExecContext(bg, "SAVEPOINT job"); err != nil {
		return nil, err
	}
	if err = j.run(tx); err != nil {
		if _, rerr := tx.Tx.ExecContext(bg, "ROLLBACK TO job"); rerr != nil {
			return err, rerr
		}
	}
	if _, rerr := tx.Tx.ExecContext(bg, "RELEASE job"); rerr != nil {
		return err, rerr
	}
	return err, nil
}
