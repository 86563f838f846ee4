package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

// translate turns a driver error into an apperr kind, at this one edge:
// no row is NotFound, a unique or primary key constraint is Conflict, a
// lock held too long, a cancelled wait or a damaged, full or unreadable
// file is Unavailable (logged as such by the API), anything else Internal. what names the thing for messages.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Wrap(apperr.NotFound, err, "no such %s", what)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return apperr.Wrap(apperr.Unavailable, err, "the store did not answer in time")
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return apperr.Wrap(apperr.Conflict, err, "the %s exists already", what)
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_BUSY_SNAPSHOT, sqlite3.SQLITE_BUSY_TIMEOUT:
			return apperr.Wrap(apperr.Unavailable, err, "the store is busy; try again")
		}
		switch se.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN:
			return apperr.Wrap(apperr.Unavailable, err, "the store cannot read or write its data; the operator has been told")
		}
	}
	return apperr.Wrap(apperr.Internal, err, "store error")
}
