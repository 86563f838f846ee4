package record_test

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapport-crm/rapport/pkg/record"
)

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	for range 10_000 {
		id := record.NewID()
		if _, err := bson.ObjectIDFromHex(id); err != nil {
			t.Fatalf("%q is not an ObjectID: %v", id, err)
		}
		if seen[id] {
			t.Fatalf("repeated id %q", id)
		}
		seen[id] = true
		if id[:8] < prev[:min(8, len(prev))] {
			t.Fatalf("ids go back in time: %s after %s", id, prev)
		}
		prev = id
	}
}
