package sqlite

import (
	"database/sql/driver"
	"strings"

	"modernc.org/sqlite"

	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/search"
)

// The SQL functions of migrations 00024 and 00025, on every connection this driver
// opens: search folds as input.Fold in Go, so both engines find the same
// records. rapport_fold(text) is input.Fold (the q= text of contacts and
// events); rapport_search_alt(text) is search.AltWords (the alt column of
// the full-text index). NULL gives NULL.
func init() {
	for name, fn := range map[string]func(string) string{
		"rapport_fold":       input.Fold,
		"rapport_search_alt": search.AltWords,
		"rapport_topic":      topicKey,
	} {
		if err := sqlite.RegisterDeterministicScalarFunction(name, 1, textFunc(fn)); err != nil {
			panic(err)
		}
	}
}

// topicKey is a topic as insights count it: trimmed, lower-cased
// (migration 00025; the same as insights' Facts).
func topicKey(s string) string { return strings.TrimSpace(strings.ToLower(s)) }

// textFunc runs fn on a text argument (a blob is read as text).
func textFunc(fn func(string) string) func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
	return func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case nil:
			return nil, nil
		case string:
			return fn(v), nil
		case []byte:
			return fn(string(v)), nil
		default:
			return v, nil
		}
	}
}
