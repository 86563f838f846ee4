package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/crm"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the store's file in the data directory.
const FileName = "rapport.db"

// busyTimeout is how long a statement waits for another connection's (or
// process's) lock before failing as Unavailable.
const busyTimeout = 10 * time.Second

// DB is an open embedded store, or a handle on one bound to a unit of
// work (see Work): adapters built on a bound handle read and write inside
// its transaction, whatever context their calls carry.
type DB struct {
	*file
	// unit is the unit of work this handle is bound to, nil for the store
	// itself.
	unit *unitTx
}

// file is the open store that handles share.
type file struct {
	// Path is the database file.
	Path string
	// write holds one connection: SQLite has one writer at a time, and
	// queueing in Go is cheaper than spinning on the file lock.
	write *sql.DB
	// read serves reads, in parallel with the writer (WAL).
	read *sql.DB
	// jobs queue the write transactions the committer runs (in order:
	// database/sql would give a freed connection to a random waiter, which
	// at 16 writers made the slowest 1 % wait six times the median).
	jobs chan *job
	// quit stops the committer; closed by Close.
	quit      chan struct{}
	committed chan struct{} // closed when the committer has stopped
	closeOnce sync.Once
	// stmts is what the write connection keeps prepared; readStmts what
	// the read connections do.
	stmts, readStmts *stmtCache
	// damage is the last integrity check's verdict (see CheckIntegrity).
	damage atomic.Pointer[error]
	// ckpt is the checkpointer's connection (upkeep.go); checkpoint wakes
	// it (closed by Close once the committer has stopped), checkpointed
	// is closed when it has stopped; walPages counts the pages the writer
	// appended since it last woke it (the committer's alone).
	ckpt           *sql.DB
	checkpoint     chan struct{}
	checkpointed   chan struct{}
	checkpointOnce sync.Once
	walPages       int
	// walLong is set by the checkpointer when the WAL has grown to
	// walLongFrames, and cleared by the committer once it emptied it
	// (upkeep.go).
	walLong atomic.Bool
	// logger says what the committer's upkeep could not do (LogTo).
	logger atomic.Pointer[slog.Logger]
	// upkeepFailed is the committer's record of failed upkeep steps
	// (upkeep.go), its alone.
	upkeepFailed failures
}

// ErrOldDataDir is returned by Open for a data directory that holds the
// FerretDB files of an earlier version.
var ErrOldDataDir = errors.New("CRM_DATA_DIR holds data of an earlier Rapport version (FerretDB files); " +
	"to move it, run the earlier version and save GET /v1/export for each user, then start this one on an empty CRM_DATA_DIR and POST /v1/import each file")

// ErrNewerStore is returned by Open for a store whose schema a newer
// Rapport has migrated: an older binary would write it as its own schema
// says (a contact's keys and tags, say, left behind when it goes), so it
// refuses to start rather than run beside the newer one.
var ErrNewerStore = errors.New("CRM_DATA_DIR holds a store a newer Rapport version has migrated; " +
	"run that version or a newer one (processes sharing a CRM_DATA_DIR are upgraded together), or start this one on an empty CRM_DATA_DIR and POST /v1/import each user's export")

// Open opens (creating if needed) the store in dataDir and brings its
// schema up to date. Migrations run under a file lock, so processes that
// start together migrate once.
func Open(ctx context.Context, dataDir string) (*DB, error) { return open(ctx, dataDir, true) }

// open is Open, bringing the schema up to date only if migrate is set
// (the migrations' tests open stores of earlier versions).
func open(ctx context.Context, dataDir string, migrate bool) (*DB, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("CRM_DATA_DIR %s: %w", dataDir, err)
	}
	if old, _ := filepath.Glob(filepath.Join(dataDir, "*.sqlite")); len(old) > 0 {
		return nil, ErrOldDataDir
	}
	path := filepath.Join(dataDir, FileName)
	db := &DB{file: &file{Path: path, jobs: make(chan *job, maxBatch), quit: make(chan struct{}), committed: make(chan struct{}),
		checkpoint: make(chan struct{}, 1), checkpointed: make(chan struct{})}}
	db.logger.Store(slog.Default())
	var err error
	if db.write, err = openPool(path, false, writeCacheKiB); err != nil {
		return nil, err
	}
	db.write.SetMaxOpenConns(1)
	db.stmts = newStmtCache(db.write, false)
	readers := max(4, runtime.GOMAXPROCS(0)*2)
	if db.read, err = openPool(path, true, max(minReadCacheKiB, readCacheKiB/readers)); err != nil {
		db.write.Close()
		return nil, err
	}
	db.read.SetMaxOpenConns(readers)
	// Kept, every one: database/sql keeps two idle connections unless
	// told, and closed the others after each burst of more reads than
	// two at once (sixteen card views at once, the insights' four reads
	// beside a page's). The next burst opened them again, each reading
	// the whole schema and preparing its statements anew, with an empty
	// page cache.
	db.read.SetMaxIdleConns(readers)
	db.readStmts = newStmtCache(db.read, true)
	if err := db.migrateIf(ctx, migrate, dataDir); err != nil {
		close(db.committed)
		db.Close()
		return nil, err
	}
	if db.ckpt, err = openPool(path, false, ckptCacheKiB); err != nil {
		close(db.committed)
		db.Close()
		return nil, err
	}
	db.ckpt.SetMaxOpenConns(1)
	go db.checkpointer()
	db.wakeCheckpointer() // what the migrations wrote
	go db.committer()
	db.CheckIntegrity(ctx) // a damaged file still opens; Ping says it is damaged
	go db.watchIntegrity()
	return db, nil
}

// LogTo sends what the store's background work could not do to l (at
// Open, slog.Default()).
func (db *DB) LogTo(l *slog.Logger) { db.logger.Store(l) }

// readMmapBytes is how much of the store file each read connection maps
// into memory (address space, not memory: the pages are the OS's cache).
// A read connection's page cache is emptied whenever it begins a read and
// another connection has written since (SQLite resets a WAL reader's
// cache when the WAL moved), so every read right after a write fetched
// its pages again, each a pread into a new cache page: a third of the
// dense account's insights after a write. A mapped page is fetched again
// as a pointer. Pages still in the WAL are read as before; on a 32-bit
// platform nothing is mapped.
const readMmapBytes = (1 << 30) * (strconv.IntSize / 64)

// The page caches: the write connection's, and the read connections'
// together (each keeps its share, at least minReadCacheKiB), in KiB.
// SQLite's default is 2 MiB a connection, a tenth of what a first CardDAV
// sync of 30,000 cards read before the read connections mapped the file:
// it read the same pages from the file again and again. Mapped, a read
// connection caches only what it reads from the WAL, and the sync takes
// the same time with 4 MiB as with 32. A cached page costs twice its size
// in memory (modernc's allocator gives a 4 KiB page and its header an
// 8 KiB slot), and what the allocator handed out once it keeps: at 32 MiB
// for the writer and 128 for the readers, a server held 170 MB after
// scripts/load (issue 13 asks 150) and 270 MB after the 50,000-contact
// load; at these sizes 113 and 215 MB, the writes as fast
// (TestStoreMemoryBounded, docs/performance.md).
const (
	writeCacheKiB   = 8 << 10
	readCacheKiB    = 16 << 10
	minReadCacheKiB = 1 << 10
	// ckptCacheKiB is the checkpointer's: it reads the WAL's index, not pages.
	ckptCacheKiB = 1 << 10
)

// openPool opens a pool of connections with the store's pragmas, each
// keeping up to cacheKiB of pages (0: SQLite's default); a read pool's
// connections refuse writes.
func openPool(path string, readOnly bool, cacheKiB int) (*sql.DB, error) {
	q := url.Values{}
	if cacheKiB > 0 {
		q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", cacheKiB))
	}
	q.Add("_pragma", "busy_timeout("+fmt.Sprint(busyTimeout.Milliseconds())+")")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)") // an acknowledged write survives power loss
	q.Add("_pragma", "foreign_keys(ON)")
	// Savepoints (group commit, Work) keep a sub-journal of the pages
	// they change; in memory, not in a temp file written on every change.
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Set("_txlock", "immediate")
	if readOnly {
		q.Add("_pragma", "query_only(ON)")
		q.Add("_pragma", fmt.Sprintf("mmap_size(%d)", readMmapBytes))
		q.Set("_txlock", "deferred")
	} else {
		// The checkpointer copies the WAL beside the writer (upkeep.go).
		q.Add("_pragma", "wal_autocheckpoint(0)")
		// A WAL that grew past this (a reader kept it from starting
		// again) is cut back to it when it does (emptyWAL).
		q.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", walSizeLimit))
	}
	pool, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	pool.SetConnMaxIdleTime(5 * time.Minute)
	return pool, nil
}

// migrateIf brings the schema up to date if migrate is set.
func (db *DB) migrateIf(ctx context.Context, migrate bool, dataDir string) error {
	if !migrate {
		return nil
	}
	return db.migrate(ctx, dataDir)
}

// migrationsOn is goose's provider of the embedded migrations on pool
// (the migrations' tests take stores down and up with it too).
func migrationsOn(pool *sql.DB) (*goose.Provider, error) {
	sub, _ := fs.Sub(migrations, "migrations")
	return goose.NewProvider(goose.DialectSQLite3, pool, sub)
}

// migrate brings the schema up to date, under a file lock in dataDir.
func (db *DB) migrate(ctx context.Context, dataDir string) error {
	lock, err := os.OpenFile(filepath.Join(dataDir, FileName+".migrate-lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("CRM_DATA_DIR %s: %w", dataDir, err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock %s: %w", lock.Name(), err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	p, err := migrationsOn(db.write)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	current, known, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", db.Path, err)
	}
	if current > known {
		return fmt.Errorf("%w (%s is at schema %d; this version knows %d)", ErrNewerStore, db.Path, current, known)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", db.Path, err)
	}
	return nil
}

// Close stops the committer (writes still queued fail) and closes the
// store.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { close(db.quit) })
	<-db.committed
	db.checkpointOnce.Do(func() { close(db.checkpoint) })
	var ckptErr error
	if db.ckpt != nil {
		<-db.checkpointed
		ckptErr = db.ckpt.Close()
	}
	db.stmts.close()
	db.readStmts.close()
	return errors.Join(db.read.Close(), db.write.Close(), ckptErr)
}

// Tx is one transaction: everything a request writes commits together or
// not at all.
type Tx struct {
	tx *stmtTx
}

// Update runs fn in a write transaction and commits it if fn returns nil;
// any error undoes everything fn wrote. On a handle bound to a unit of
// work it is a savepoint of the unit's transaction, undone alone when fn
// fails.
//
// Writes are group-committed: the committer runs the write transactions
// queued at once one after another in one SQLite transaction, each in a
// savepoint of its own (a failing one is undone alone), and commits them
// with one fsync; each caller returns once its writes are durable.
func (db *DB) Update(ctx context.Context, fn func(*Tx) error) error {
	if db.unit != nil {
		return db.unit.savepoint(ctx, fn)
	}
	return db.submit(ctx, fn)
}

// updateCount runs one statement in a write transaction (Update) and
// returns how many rows it changed; its error is said of what.
func (db *DB) updateCount(ctx context.Context, what, query string, args ...any) (int64, error) {
	var n int64
	err := db.Update(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, query, args...)
		if err != nil {
			return translate(err, what)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// View runs fn in a read transaction: one consistent snapshot. On a handle
// bound to a unit of work it reads the unit's transaction, writes included.
func (db *DB) View(ctx context.Context, fn func(*Tx) error) error {
	if db.unit != nil {
		return fn(&Tx{tx: db.unit.tx})
	}
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return translate(err, "store")
	}
	defer tx.Rollback()
	return fn(&Tx{tx: &stmtTx{Tx: tx, stmts: db.readStmts}})
}

// Work runs fn as one unit of work: one write transaction, committed when
// fn returns nil and undone otherwise, so a workflow across domains (a
// contact, its encounter and follow-ups) commits whole or not at all. The
// stores fn is given (tx.Stores()) are bound to the transaction: they read
// its writes, and their writes are its. Called on a bound handle, Work
// joins that unit.
//
// A write made inside fn through the store itself rather than tx's stores
// would queue behind the transaction running it; it is refused at once as
// Internal instead.
func (db *DB) Work(ctx context.Context, fn func(context.Context, crm.Tx) error) error {
	if db.unit != nil {
		return fn(ctx, unitOf{db})
	}
	return db.submit(ctx, func(tx *Tx) error {
		bound := &DB{file: db.file, unit: &unitTx{tx: tx.tx}}
		return fn(context.WithValue(ctx, inUnitKey{}, db.file), unitOf{bound})
	})
}

// unitOf is the crm.Tx of a bound handle: its stores, and no undo steps
// (the transaction rolls back).
type unitOf struct{ db *DB }

func (u unitOf) Stores() crm.Stores               { return Stores(u.db) }
func (unitOf) OnFail(func(context.Context) error) {}

// inUnitKey marks a context given to a unit of work's fn with the store
// whose transaction runs it.
type inUnitKey struct{}

// errOutsideUnit answers a write through the store itself inside a unit of
// work on it: a bug (the write must use the unit's stores), refused rather
// than left to wait for a turn that never comes.
var errOutsideUnit = apperr.E(apperr.Internal, "store: a write inside a unit of work must use the unit's stores")

// unitTx is the transaction of a unit of work and its savepoints.
type unitTx struct {
	tx *stmtTx
	mu sync.Mutex
	n  int // savepoints made, for their names
}

// savepoint runs fn inside the unit's transaction so that its writes are
// undone if it fails (a caller may handle the error and go on, as a
// duplicate contact's Conflict is handled).
func (a *unitTx) savepoint(ctx context.Context, fn func(*Tx) error) error {
	a.mu.Lock()
	a.n++
	name := fmt.Sprintf("sp%d", a.n)
	a.mu.Unlock()
	if _, err := a.tx.Tx.ExecContext(a.tx.ctxFor(ctx), "SAVEPOINT "+name); err != nil {
		return translate(err, "store")
	}
	if err := fn(&Tx{tx: a.tx}); err != nil {
		bg := context.WithoutCancel(ctx)
		if _, rerr := a.tx.Tx.ExecContext(bg, "ROLLBACK TO "+name); rerr != nil {
			return errors.Join(err, translate(rerr, "store"))
		}
		if _, rerr := a.tx.Tx.ExecContext(bg, "RELEASE "+name); rerr != nil {
			return errors.Join(err, translate(rerr, "store"))
		}
		return err
	}
	_, err := a.tx.Tx.ExecContext(a.tx.ctxFor(ctx), "RELEASE "+name)
	return translate(err, "store")
}

// reader is where a single read goes: the unit of work's transaction on a
// bound handle (so a workflow reads its own writes), else the read pool.
func (db *DB) reader(ctx context.Context) interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
} {
	if db.unit != nil {
		return db.unit.tx
	}
	return readPool{db.readStmts}
}

// Ping checks that the store can be written and read: it writes this
// process's row in health, then reads it back through a new connection,
// whose empty page cache makes it read the file (a pooled connection would
// answer from its cache while the file under it is damaged). Before all
// that it answers Unavailable if the last integrity check found damage.
func (db *DB) Ping(ctx context.Context, id string) error {
	if err := db.integrity(); err != nil {
		return err
	}
	now := formatTime(time.Now())
	err := db.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO health(id, at) VALUES(?, ?) ON CONFLICT(id) DO UPDATE SET at = excluded.at`, id, now)
		return translate(err, "store")
	})
	if err != nil {
		return err
	}
	fresh, err := openPool(db.Path, true, 0)
	if err != nil {
		return apperr.Wrap(apperr.Unavailable, err, "the store cannot be opened")
	}
	defer fresh.Close()
	var got string
	if err := fresh.QueryRowContext(ctx, `SELECT at FROM health WHERE id = ?`, id).Scan(&got); err != nil {
		return apperr.Wrap(apperr.Unavailable, err, "the store cannot be read")
	}
	if got != now {
		return apperr.E(apperr.Unavailable, "the store did not return what was just written to it")
	}
	return nil
}

// timeFormat stores times as sortable UTC text with milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Truncate(time.Millisecond).Format(timeFormat) }

// parseTime reads a time as formatTime writes it, as time.Parse(timeFormat)
// does: a feed reads 35,000 of them, and time.Parse took most of their
// rows' Go time. Text not in that form, or out of range, goes to
// time.Parse (for its error).
func parseTime(s string) (time.Time, error) {
	if len(s) == len(timeFormat) && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == '.' && s[23] == 'Z' {
		year, ok1 := digits(s[0:4])
		month, ok2 := digits(s[5:7])
		day, ok3 := digits(s[8:10])
		hour, ok4 := digits(s[11:13])
		minute, ok5 := digits(s[14:16])
		sec, ok6 := digits(s[17:19])
		milli, ok7 := digits(s[20:23])
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && month >= 1 && month <= 12 && day >= 1 && hour < 24 && minute < 60 && sec < 60 {
			// a day past the month's end would roll over: time.Parse's error
			if t := time.Date(year, time.Month(month), day, hour, minute, sec, milli*int(time.Millisecond), time.UTC); t.Day() == day {
				return t, nil
			}
		}
	}
	return time.Parse(timeFormat, s)
}

// digits is the value of s, ASCII digits only.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// placeholders returns "?, ?, …" for n values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}
