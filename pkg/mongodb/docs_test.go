package mongodb

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
)

// TestDocumentsKeepTheirFieldNames: the domain types carry no storage
// shape, and the registry still writes them under the names stored data
// has (a record written before the documents moved here reads back), and
// reads them back whole.
func TestDocumentsKeepTheirFieldNames(t *testing.T) {
	now := time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		v    any
		keys []string
		back func() any
	}{
		{&contacts.Contact{ID: "c1", UserID: "u1", Name: "Ada", LinkedInURL: "https://linkedin.com/in/ada", CreatedAt: now, UpdatedAt: now},
			[]string{"_id", "user_id", "name", "linkedin_url", "name_lower", "created_at"}, func() any { return &contacts.Contact{} }},
		{&events.Event{ID: "e1", UserID: "u1", Title: "GoDays", StartsAt: now, Talks: []events.Talk{{Title: "Generics", Speaker: "Ian"}},
			Targets: []events.Target{{Name: "Rob"}}},
			[]string{"_id", "user_id", "title", "starts_at", "talks", "targets"}, func() any { return &events.Event{} }},
		{&followup.FollowUp{ID: "f1", UserID: "u1", Kind: followup.ThankYou, DueAt: now, PendingKey: "u1|c1|thank_you"},
			[]string{"_id", "user_id", "kind", "due_at", "pending_key"}, func() any { return &followup.FollowUp{} }},
	} {
		var buf bytes.Buffer
		enc := bson.NewEncoder(bson.NewDocumentWriter(&buf))
		enc.SetRegistry(registry)
		if err := enc.Encode(tc.v); err != nil {
			t.Fatal(err)
		}
		raw := bson.Raw(buf.Bytes())
		elems, err := raw.Elements()
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, e := range elems {
			keys = append(keys, e.Key())
		}
		for _, k := range tc.keys {
			if !slices.Contains(keys, k) {
				t.Errorf("%T: no %q among %v", tc.v, k, keys)
			}
		}
		back := tc.back()
		if err := unmarshal(raw, back); err != nil {
			t.Fatal(err)
		}
		if got, want := bson.Raw(mustMarshal(t, back)).String(), raw.String(); got != want {
			t.Errorf("%T read back as\n%s\nwant\n%s", tc.v, got, want)
		}
	}
	if raw := mustMarshal(t, &events.Event{Talks: []events.Talk{{Title: "x"}}}); !bytes.Contains(raw, []byte("title")) {
		t.Fatal("a nested talk lost its field names")
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := bson.NewEncoder(bson.NewDocumentWriter(&buf))
	enc.SetRegistry(registry)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
