package crm_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/input"
)

// TestTagContacts: a tag added to contacts and taken off them, whatever
// its case; a contact that holds the most tags already refuses the lot,
// naming it, and none is tagged — the contacts before it were.
func TestTagContacts(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		mk := func(name string, tags ...string) string {
			c, err := e.crm.CreateContact(ctx, e.user, contacts.Input{Name: name, Tags: tags})
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		full := make([]string, input.MaxTags)
		for i := range full {
			full[i] = fmt.Sprint("t", i)
		}
		ada, bob, max := mk("Ada", "math"), mk("Bob", "GoDays"), mk("Max", full...)
		tags := func(id string) string {
			c, err := e.crm.Contacts.Store.Contact(ctx, e.user.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			return strings.Join(c.Tags, ",")
		}
		if n, err := e.crm.TagContacts(ctx, e.user, []string{ada, bob}, "godays", true); err != nil || n != 2 {
			t.Fatalf("tagged %d, %v; want 2", n, err)
		}
		if got := tags(ada) + " " + tags(bob); got != "math,godays godays" {
			t.Fatalf("after tagging: %s", got)
		}
		if n, err := e.crm.TagContacts(ctx, e.user, []string{ada, bob}, "GODAYS", false); err != nil || n != 2 {
			t.Fatalf("untagged %d, %v; want 2", n, err)
		}
		_, err := e.crm.TagContacts(ctx, e.user, []string{ada, bob, max}, "rust", true)
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(apperr.PublicOf(err), "Max has 50 tags") {
			t.Fatalf("a contact with the most tags among them: %v", err)
		}
		if got := tags(ada) + " " + tags(bob); got != "math " {
			t.Fatalf("after the refusal: %q, want nothing tagged", got)
		}
		if _, err := e.crm.TagContacts(ctx, e.user, []string{ada, "someone-elses"}, "rust", true); !apperr.Is(err, apperr.NotFound) || tags(ada) != "math" {
			t.Fatalf("an id of no contact of the user's: %v, Ada's tags %q", err, tags(ada))
		}
	})
}
