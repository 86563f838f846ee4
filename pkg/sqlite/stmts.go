package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// stmtTx is a transaction as the adapters run statements in it. On the
// write connection its ExecContext, QueryContext and QueryRowContext run
// a statement the connection prepared before (stmtCache) when there is
// one: preparing a write compiles the indexes and triggers it updates, and
// logging an encounter spent a fifth of its time, and restoring a backup's
// contacts nine tenths, preparing the same few statements again. A read transaction's
// (stmts nil) runs its statements as they come.
type stmtTx struct {
	*sql.Tx
	stmts *stmtCache
	// bound is each cached statement bound to this transaction, made once
	// (database/sql keeps every one it makes until the transaction ends).
	mu    sync.Mutex
	bound map[string]*sql.Stmt
}

// stmt is query bound to t if the connection has it prepared, else nil
// (and the cache notes query, to prepare it once the connection is free).
func (t *stmtTx) stmt(ctx context.Context, query string) *sql.Stmt {
	if t.stmts == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if st := t.bound[query]; st != nil {
		return st
	}
	parent := t.stmts.get(query)
	if parent == nil {
		return nil
	}
	// Bound without the caller's context: a group commit's transaction
	// carries several callers' writes, and a statement bound under a
	// context that has ended keeps that error for whoever runs it next.
	st := t.Tx.StmtContext(context.WithoutCancel(ctx), parent)
	if t.bound == nil {
		t.bound = map[string]*sql.Stmt{}
	}
	t.bound[query] = st
	return st
}

// ExecContext runs query in the transaction, prepared if it can be.
func (t *stmtTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

// QueryContext runs query in the transaction, prepared if it can be.
func (t *stmtTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query in the transaction, prepared if it can be.
func (t *stmtTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// maxCachedStmts bounds how many statements the write connection keeps
// prepared. The adapters' statements are constants (a query's varying
// parts are arguments, lists go in as JSON), a few hundred in all; a text
// made anew each time (a savepoint's name) is never run through the cache.
const maxCachedStmts = 512

// stmtCache is the statements the write connection has prepared, by
// query. A query is prepared after it first runs, between transactions:
// inside one the pool's only connection is taken, and preparing through
// the pool would wait for it for ever. database/sql keeps each prepared
// statement per connection and prepares it again on a new one (after an
// idle timeout or a broken connection).
type stmtCache struct {
	pool  *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
	want  map[string]bool // run unprepared since the last prepare
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, stmts: map[string]*sql.Stmt{}, want: map[string]bool{}}
}

// get is query's prepared statement, or nil: then query is noted, to be
// prepared by prepareWanted.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st // nil if it did not prepare
	}
	if len(c.stmts)+len(c.want) < maxCachedStmts {
		c.want[query] = true
	}
	return nil
}

// prepareWanted prepares the queries noted since it last ran; called by
// the committer while no transaction holds the connection. A query that
// fails to prepare is run unprepared, as before, and not tried again.
func (c *stmtCache) prepareWanted() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q := range c.want {
		st, err := c.pool.PrepareContext(context.Background(), q)
		if err != nil {
			st = nil
		}
		c.stmts[q] = st
	}
	clear(c.want)
}

// close closes the prepared statements.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		if st != nil {
			st.Close()
		}
		delete(c.stmts, q)
	}
}
