package mongodb

import (
	"context"
	"errors"
	"net"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

// translate translates a driver error into an apperr kind: no document is
// NotFound ("<what> not found"), a duplicate key is Conflict, an unreachable
// or timed-out store is Unavailable, anything else Internal. Users see only
// the kind's message; the driver's text stays in the wrapped cause.
func translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.As(err, new(*apperr.Error)):
		return err
	case errors.Is(err, mongo.ErrNoDocuments):
		return apperr.Wrap(apperr.NotFound, err, "%s not found", what)
	case mongo.IsDuplicateKeyError(err):
		return apperr.Wrap(apperr.Conflict, err, "%s already exists", what)
	case isUnavailable(err):
		return apperr.Wrap(apperr.Unavailable, err, "the store is unavailable; try again shortly")
	case isDamaged(err):
		return apperr.Wrap(apperr.Unavailable, err, "the store cannot read or write its data; the operator has been told")
	case errors.Is(err, context.Canceled):
		return apperr.Wrap(apperr.Unavailable, err, "the request was cancelled")
	default:
		return apperr.Wrap(apperr.Internal, err, "internal error")
	}
}

// damagedText are the SQLite messages of a damaged or unreadable file, as
// the embedded FerretDB passes them on (it gives them no error code of
// their own): the store is then unavailable, not the request at fault.
var damagedText = []string{"database disk image is malformed", "file is not a database", "disk I/O error"}

func isDamaged(err error) bool {
	msg := err.Error()
	for _, t := range damagedText {
		if strings.Contains(msg, t) {
			return true
		}
	}
	return false
}

// isUnavailable reports whether err means the store could not be reached
// in time (as opposed to refusing the operation).
func isUnavailable(err error) bool {
	var sse topology.ServerSelectionError
	var ne net.Error
	return errors.As(err, &sse) || errors.As(err, new(*topology.ServerSelectionError)) ||
		mongo.IsTimeout(err) || mongo.IsNetworkError(err) ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, topology.ErrTopologyClosed) || errors.Is(err, mongo.ErrClientDisconnected) ||
		errors.As(err, &ne)
}
