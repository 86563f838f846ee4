package mongodb_test

import (
	"os"
	"testing"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/mongodb"
	"github.com/rapport-crm/rapport/pkg/store/storetest"
	conformance "github.com/rapport-crm/rapport/pkg/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Run(m)) }

func TestContacts(t *testing.T) {
	conformance.Contacts(t, func(tb testing.TB) contacts.Store {
		s := &mongodb.Contacts{DB: storetest.MustOpen(tb).DB}
		if err := s.EnsureIndexes(tb.Context()); err != nil {
			tb.Fatal(err)
		}
		return s
	})
}

func TestAccounts(t *testing.T) {
	conformance.Accounts(t, func(tb testing.TB) accounts.Store {
		s := &mongodb.Accounts{DB: storetest.MustOpen(tb).DB}
		if err := s.EnsureIndexes(tb.Context()); err != nil {
			tb.Fatal(err)
		}
		return s
	})
}
