package ratelimit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/ratelimit"
)

// TestTurns: one holder per key at a time, the others served in the
// order they came; other keys are not held up; a taker whose context
// ends leaves the line; a key no one uses is forgotten.
func TestTurns(t *testing.T) {
	var turns ratelimit.Turns
	ctx := t.Context()
	first, err := turns.Take(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	order := make(chan int, 3)
	releases := make(chan func(), 3)
	for i := range 3 {
		go func() {
			r, err := turns.Take(ctx, "ada")
			if err != nil {
				t.Error(err)
				return
			}
			order <- i
			releases <- r
		}()
		for turns.Waiting("ada") != i+2 { // in line before the next comes
			time.Sleep(time.Millisecond)
		}
	}
	other, err := turns.Take(ctx, "bo")
	if err != nil {
		t.Fatalf("another key while ada's turn is held: %v", err)
	}
	other()

	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := turns.Take(short, "ada"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a taker whose context ended: %v", err)
	}
	if n := turns.Waiting("ada"); n != 4 {
		t.Fatalf("%d in ada's line after a taker left, want 4", n)
	}
	select {
	case i := <-order:
		t.Fatalf("taker %d got the turn while it was held", i)
	default:
	}
	first()
	first() // a second release does nothing
	for want := range 3 {
		select {
		case got := <-order:
			if got != want {
				t.Fatalf("taker %d got the turn before taker %d", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the turn was never passed on")
		}
		select {
		case i := <-order:
			t.Fatalf("taker %d got the turn while %d held it", i, want)
		default:
		}
		(<-releases)()
	}
	if n := turns.Waiting("ada"); n != 0 {
		t.Fatalf("%d still in ada's line", n)
	}
}

// TestTurnsPer: Per takers hold a key's turns at once; the next waits
// for one of them.
func TestTurnsPer(t *testing.T) {
	turns := ratelimit.Turns{Per: 3}
	ctx := t.Context()
	var held []func()
	for range 3 {
		r, err := turns.Take(ctx, "ada")
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, r)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := turns.Take(short, "ada"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a fourth taker with three turns held: %v", err)
	}
	held[1]()
	r, err := turns.Take(ctx, "ada")
	if err != nil {
		t.Fatalf("a taker once a turn is given back: %v", err)
	}
	r()
	held[0]()
	held[2]()
	if n := turns.Waiting("ada"); n != 0 {
		t.Fatalf("%d still in ada's line", n)
	}
}
