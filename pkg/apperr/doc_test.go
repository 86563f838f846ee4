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

func TestRenamed(t *testing.T) {
	var fs apperr.Fields
	fs.Add("name", "is too long")
	fs.Add("title", "is required")
	err := fs.Err()
	got := apperr.Renamed(err, map[string]string{"name": "company"})
	if f := apperr.FieldsOf(got); len(f) != 2 || f[0].Field != "company" || f[1].Field != "title" || apperr.KindOf(got) != apperr.Invalid {
		t.Fatalf("renamed: %+v", f)
	}
	if f := apperr.FieldsOf(err); f[0].Field != "name" {
		t.Fatalf("the original changed: %+v", f)
	}
	plain := fmt.Errorf("boom")
	if apperr.Renamed(plain, map[string]string{"name": "company"}) != plain {
		t.Fatal("an error that is not an *Error is not passed through")
	}
}
