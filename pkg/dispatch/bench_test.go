package dispatch_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/record"
)

// seed inserts users with one contact each and perUser pending follow-ups
// due at due(i), straight through the driver (fast), plus their dispatch
// entries as the service would have made them.
func seed(b *testing.B, e *env, users, perUser int, due func(i int) time.Time, withHook bool) {
	b.Helper()
	ctx := context.Background()
	for u := 0; u < users; u++ {
		var settings map[string]any
		if withHook {
			settings = e.withHook("k")
		}
		usr := e.user(b, fmt.Sprintf("u%d@example.com", u), settings)
		c := e.contact(b, usr, fmt.Sprint("c", u))
		docs := make([]any, 0, perUser)
		next := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < perUser; i++ {
			id := record.NewID()
			d := record.Time(due(i))
			if d.Before(next) {
				next = d
			}
			docs = append(docs, map[string]any{"_id": id, "user_id": usr.ID, "contact_id": c.ID, "kind": "custom", "due_at": d,
				"status": "pending", "note": "bench", "pending_key": id, "created_at": d, "updated_at": d})
		}
		for start := 0; start < len(docs); start += 1000 {
			end := min(start+1000, len(docs))
			if _, err := e.st.DB.Collection("followups").InsertMany(ctx, docs[start:end]); err != nil {
				b.Fatal(err)
			}
		}
		e.crm.Followups.Wake(ctx, usr.ID, next)
	}
}

// BenchmarkDispatch10kDue: 100 users with 100 due follow-ups each, delivered
// by email (real SMTP in the test) and webhook (real HTTP).
// Run: go test ./pkg/followup -run '^$' -bench Dispatch10kDue -benchtime 1x
func BenchmarkDispatch10kDue(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newMongoEnv(b, time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
		seed(b, e, 100, 100, func(i int) time.Time { return e.clock.Now().Add(-time.Duration(i) * time.Minute) }, true)
		d := e.dispatcher(b, "p1")
		b.StartTimer()
		start := time.Now()
		ticks := 0
		for ; ticks < 20 && len(e.smtp.Messages()) < 100; ticks++ {
			if err := d.RunOnce(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/10k-nudges")
		b.ReportMetric(float64(ticks), "ticks")
		b.StopTimer()
		delivered := 0
		for _, c := range e.hook.Calls() {
			delivered += len(c.Decoded.Followups)
		}
		if delivered != 10_000 || len(e.smtp.Messages()) != 100 {
			b.Fatalf("delivered %d follow-ups in %d emails, want 10000 in 100", delivered, len(e.smtp.Messages()))
		}
	}
}

// BenchmarkIdleTick: the cost of a tick when many follow-ups are pending
// and none is due, at 10,000 and 100,000 pending (100 users).
// Run: go test ./pkg/followup -run '^$' -bench IdleTick
func BenchmarkIdleTick(b *testing.B) {
	for _, pending := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("pending=%d", pending), func(b *testing.B) {
			e := newMongoEnv(b, time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
			seed(b, e, 100, pending/100, func(i int) time.Time { return e.clock.Now().Add(time.Duration(i+1) * time.Hour) }, false)
			d := e.dispatcher(b, "p1")
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := d.RunOnce(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			var users []accounts.User
			e.acc.ForEachUser(ctx, func(u *accounts.User) error { users = append(users, *u); return nil })
			start := time.Now()
			if _, err := e.dispatcher(b, "bench").Sweep(ctx, users); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(time.Since(start).Seconds()*1000, "sweep-ms")
		})
	}
}
