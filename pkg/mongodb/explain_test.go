package mongodb_test

import (
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapport-crm/rapport/pkg/mongodb"
	"github.com/rapport-crm/rapport/pkg/mongodb/mongotest"
)

// TestHotQueriesUseIndexes asks a real MongoDB's planner how it runs each
// hot query shape and fails on a collection scan or an in-memory sort.
// FerretDB has no planner to ask, so this runs only against MongoDB:
// MONGODB_URI=mongodb://127.0.0.1:27017 go test ./pkg/mongodb -run HotQueries
func TestHotQueriesUseIndexes(t *testing.T) {
	st := mongotest.MustOpen(t)
	var info bson.M
	if err := st.DB.RunCommand(t.Context(), bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		t.Fatal(err)
	}
	if _, ferret := info["ferretdbVersion"]; ferret {
		t.Skip("FerretDB has no query planner; run with MONGODB_URI set to a real MongoDB")
	}
	ctx := t.Context()
	acc := &mongodb.Accounts{DB: st.DB}
	if err := acc.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	stores := mongodb.Stores(st.DB)
	if err := stores.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for _, q := range []struct {
		name, coll string
		filter     bson.D
		sort       bson.D
	}{
		{"contacts page", "contacts", bson.D{{Key: "user_id", Value: "u1"}}, bson.D{{Key: "name_lower", Value: 1}, {Key: "_id", Value: 1}}},
		{"contacts by tag", "contacts", bson.D{{Key: "user_id", Value: "u1"}, {Key: "tags_lower", Value: "go"}}, nil},
		{"contact by id", "contacts", bson.D{{Key: "_id", Value: "c1"}, {Key: "user_id", Value: "u1"}}, nil},
		{"encounters at an event", "encounters", bson.D{{Key: "user_id", Value: "u1"}, {Key: "event_id", Value: "e1"}}, bson.D{{Key: "met_at", Value: 1}}},
		{"encounters with a contact", "encounters", bson.D{{Key: "user_id", Value: "u1"}, {Key: "contact_id", Value: "c1"}}, bson.D{{Key: "met_at", Value: 1}}},
		{"encounters with a batch of contacts", "encounters", bson.D{{Key: "user_id", Value: "u1"}, {Key: "contact_id", Value: bson.D{{Key: "$in", Value: bson.A{"c1", "c2"}}}}},
			bson.D{{Key: "contact_id", Value: 1}, {Key: "met_at", Value: 1}}},
		{"intros of a batch of contacts", "intros", bson.D{{Key: "user_id", Value: "u1"}, {Key: "contact_ids", Value: bson.D{{Key: "$in", Value: bson.A{"c1", "c2"}}}}}, nil},
		{"interactions of a contact", "interactions", bson.D{{Key: "user_id", Value: "u1"}, {Key: "contact_id", Value: "c1"}}, bson.D{{Key: "at", Value: 1}}},
		{"intros page", "intros", bson.D{{Key: "user_id", Value: "u1"}}, bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}},
		{"events page", "events", bson.D{{Key: "user_id", Value: "u1"}}, bson.D{{Key: "starts_at", Value: 1}, {Key: "_id", Value: 1}}},
		{"events of a calendar", "events", bson.D{{Key: "user_id", Value: "u1"}, {Key: "source.calendar_id", Value: "cal1"}}, nil},
		{"follow-ups page", "followups", bson.D{{Key: "user_id", Value: "u1"}}, bson.D{{Key: "due_at", Value: 1}, {Key: "_id", Value: 1}}},
		{"follow-ups of an event", "followups", bson.D{{Key: "user_id", Value: "u1"}, {Key: "event_id", Value: "e1"}}, bson.D{{Key: "due_at", Value: 1}, {Key: "_id", Value: 1}}},
		{"pending follow-ups", "followups", bson.D{{Key: "user_id", Value: "u1"}, {Key: "status", Value: "pending"}}, bson.D{{Key: "due_at", Value: 1}}},
		{"pending key", "followups", bson.D{{Key: "pending_key", Value: "u1|c1|thank_you"}}, nil},
		{"due users", "dispatch", bson.D{{Key: "next_at", Value: bson.D{{Key: "$lte", Value: now}}}}, bson.D{{Key: "next_at", Value: 1}}},
		{"token by hash", "tokens", bson.D{{Key: "hash", Value: "h"}}, nil},
		{"kind documents page", "kind_docs", bson.D{{Key: "user_id", Value: "u1"}, {Key: "kind", Value: "notes"}}, bson.D{{Key: "_id", Value: -1}}},
	} {
		find := bson.D{{Key: "find", Value: q.coll}, {Key: "filter", Value: q.filter}, {Key: "limit", Value: 51}}
		if q.sort != nil {
			find = append(find, bson.E{Key: "sort", Value: q.sort})
		}
		var out bson.M
		if err := st.DB.RunCommand(ctx, bson.D{{Key: "explain", Value: find}, {Key: "verbosity", Value: "queryPlanner"}}).Decode(&out); err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		plan, _ := out["queryPlanner"].(bson.M)
		stages := planStages(plan["winningPlan"])
		joined := strings.Join(stages, " ")
		if len(stages) == 0 || strings.Contains(joined, "COLLSCAN") || hasBlockingSort(stages) {
			t.Errorf("%s on %s: plan %s scans or sorts in memory", q.name, q.coll, joined)
		}
	}
}

// planStages lists the stage names of a winning plan, outermost first
// (classic "inputStage(s)" and slot-based "queryPlan" shapes).
func planStages(p any) []string {
	m, ok := p.(bson.M)
	if !ok {
		return nil
	}
	var out []string
	if s, ok := m["stage"].(string); ok {
		out = append(out, s)
	}
	for _, k := range []string{"queryPlan", "inputStage"} {
		out = append(out, planStages(m[k])...)
	}
	if in, ok := m["inputStages"].(bson.A); ok {
		for _, x := range in {
			out = append(out, planStages(x)...)
		}
	}
	return out
}

// hasBlockingSort reports a SORT stage (an in-memory sort).
func hasBlockingSort(stages []string) bool {
	for _, s := range stages {
		if s == "SORT" {
			return true
		}
	}
	return false
}
