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
// contacts nine tenths, preparing the same few statements again. A read
// transaction does the same with the read pool's cache (each read
// connection prepares a statement the first time it runs it; database/sql
// keeps it per connection).
type stmtTx struct {
	*sql.Tx
	stmts *stmtCache
	// whole is set on the write connection: its statements run whole (see
	// ctxFor).
	whole bool
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

// ctxFor is the context a statement runs under. On the write connection a
// caller's context that has ended stops the statement before it starts
// (database/sql checks it), but one that ends while the statement runs
// must not reach it: the driver then interrupts SQLite, which rolls back
// the whole transaction — a group commit's, every other caller's writes
// with it. So a statement that started runs whole, and its caller's write
// ends at the next one, undone alone by its savepoint.
func (t *stmtTx) ctxFor(ctx context.Context) context.Context {
	if t.whole && ctx.Err() == nil {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// ExecContext runs query in the transaction, prepared if it can be.
func (t *stmtTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = t.ctxFor(ctx)
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

// QueryContext runs query in the transaction, prepared if it can be.
func (t *stmtTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = t.ctxFor(ctx)
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query in the transaction, prepared if it can be.
func (t *stmtTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = t.ctxFor(ctx)
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// maxCachedStmts bounds how many statements a pool keeps prepared. The
// adapters' statements are constants (a query's varying parts are
// arguments, lists go in as JSON), a few hundred in all; a text made anew
// each time (a savepoint's name) is never run through the cache.
const maxCachedStmts = 512

// stmtCache is the statements a pool has prepared, by query. A query is
// prepared after it first runs, never by the one running it: the write
// pool's only connection is taken inside a transaction, and preparing
// through the pool would wait for it for ever, so the committer prepares
// between transactions (prepareWanted); the read pool's connections may
// all be held by readers, so a goroutine of its own that holds none
// prepares them (background). database/sql keeps each prepared statement
// per connection and prepares it again on a new one (after an idle
// timeout or a broken connection).
type stmtCache struct {
	pool       *sql.DB
	background bool
	mu         sync.Mutex
	stmts      map[string]*sql.Stmt
	want       map[string]bool // run unprepared since the last prepare
	preparing  bool            // background: its goroutine is running
	closed     bool
}

// newStmtCache is pool's statement cache; background says who prepares
// (see stmtCache).
func newStmtCache(pool *sql.DB, background bool) *stmtCache {
	return &stmtCache{pool: pool, background: background, stmts: map[string]*sql.Stmt{}, want: map[string]bool{}}
}

// get is query's prepared statement, or nil: then query is noted, to be
// prepared by prepareWanted.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st // nil if it did not prepare
	}
	if c.closed || c.want[query] || len(c.stmts)+len(c.want) >= maxCachedStmts {
		return nil
	}
	c.want[query] = true
	if c.background && !c.preparing {
		c.preparing = true
		go func() {
			for c.prepareWanted() {
			}
		}()
	}
	return nil
}

// prepareWanted prepares the queries noted since it last ran, through
// the pool, without holding the lock (get does not wait on it), and says
// whether there were any. A query that fails to prepare is run
// unprepared, as before, and not tried again.
func (c *stmtCache) prepareWanted() bool {
	c.mu.Lock()
	if len(c.want) == 0 || c.closed {
		c.preparing = false
		c.mu.Unlock()
		return false
	}
	queries := make([]string, 0, len(c.want))
	for q := range c.want {
		queries = append(queries, q)
	}
	c.mu.Unlock()
	for _, q := range queries {
		st, err := c.pool.PrepareContext(context.Background(), q)
		if err != nil {
			st = nil
		}
		c.mu.Lock()
		delete(c.want, q)
		if c.closed {
			if st != nil {
				st.Close()
			}
		} else {
			c.stmts[q] = st
		}
		c.mu.Unlock()
	}
	return true
}

// close closes the prepared statements.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for q, st := range c.stmts {
		if st != nil {
			st.Close()
		}
		delete(c.stmts, q)
	}
}

// readPool is where a single read outside a transaction goes
// (DB.reader): the read pool, through its statement cache.
type readPool struct{ *stmtCache }

// QueryContext runs query on a read connection, prepared if it can be.
func (r readPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := r.get(query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return r.pool.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query on a read connection, prepared if it can be.
func (r readPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := r.get(query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.pool.QueryRowContext(ctx, query, args...)
}
