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
			[]string{"_id", "user_id", "name", "linkedin_url", "created_at"}, func() any { return &contacts.Contact{} }},
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
	// What only queries read is written beside the document, never in
	// the domain type, and a read ignores it.
	c := &contacts.Contact{ID: "c1", UserID: "u1", Name: "Åsa Öberg", Tags: []string{"Go"}, KnownSince: now, CreatedAt: now, UpdatedAt: now}
	for _, tc := range []struct {
		stored any
		keys   []string
		back   any
		want   any
	}{
		{contactDoc(c), []string{"name_lower", "tags_lower", "search", "words"}, &contacts.Contact{}, c},
		{eventDoc(&events.Event{ID: "e1", Title: "GoDays", Tags: []string{"Go"}}), []string{"tags_lower", "search", "words"}, &events.Event{},
			&events.Event{ID: "e1", Title: "GoDays", Tags: []string{"Go"}}},
		{encounterDoc(&contacts.Encounter{ID: "n1", Topics: []string{"Go"}}), []string{"topics_lower", "words"}, &contacts.Encounter{},
			&contacts.Encounter{ID: "n1", Topics: []string{"Go"}}},
	} {
		raw := bson.Raw(mustMarshal(t, tc.stored))
		for _, k := range tc.keys {
			if _, err := raw.LookupErr(k); err != nil {
				t.Errorf("%T: no %q in %s", tc.stored, k, raw)
			}
		}
		if err := unmarshal(raw, tc.back); err != nil {
			t.Fatal(err)
		}
		if got, want := bson.Raw(mustMarshal(t, tc.back)).String(), bson.Raw(mustMarshal(t, tc.want)).String(); got != want {
			t.Errorf("%T read back as\n%s\nwant\n%s", tc.stored, got, want)
		}
	}
	if got := bson.Raw(mustMarshal(t, contactDoc(c))).Lookup("name_lower").StringValue(); got != "åsa öberg" {
		t.Errorf("name_lower %q", got)
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
