package apperr_test

import (
	"fmt"
	"testing"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

func TestKindOf(t *testing.T) {
	t.Run("Wrapped", func(t *testing.T) {
		err := fmt.Errorf("ctx: %w", apperr.E(apperr.NotFound, "no such contact"))
		if got, want := apperr.KindOf(err), apperr.NotFound; got != want {
			t.Fatalf("KindOf=%v, want %v", got, want)
		}
	})
	t.Run("PlainIsInternal", func(t *testing.T) {
		if got, want := apperr.KindOf(fmt.Errorf("boom")), apperr.Internal; got != want {
			t.Fatalf("KindOf=%v, want %v", got, want)
		}
	})
	t.Run("NoFieldsIsNil", func(t *testing.T) {
		var fs apperr.Fields
		if err := fs.Err(); err != nil {
			t.Fatalf("Err=%v, want nil", err)
		}
		fs.Add("name", "is required")
		if got, want := apperr.KindOf(fs.Err()), apperr.Invalid; got != want {
			t.Fatalf("KindOf=%v, want %v", got, want)
		}
	})
}
