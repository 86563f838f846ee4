package accounts

import (
	"strings"
	"testing"
	"time"
)

func TestCardTokens(t *testing.T) {
	now := time.Date(2026, 11, 26, 19, 0, 0, 0, time.UTC)
	id, key := newCardID()
	if len(id) != 22 || len(key) < 40 {
		t.Fatalf("card id %q (%d chars), key of %d chars", id, len(id), len(key))
	}
	c := &Card{Enabled: true, ID: id, Key: key}
	ref := c.EventRef("ev1")
	if ref == c.EventRef("ev2") || strings.Contains(ref, "ev1") || len(ref) != 16 {
		t.Fatalf("event refs: %q", ref)
	}
	tok := c.FormToken(ref, now)
	if nonce, ok := c.CheckFormToken(ref, tok, now.Add(time.Hour)); !ok || nonce == "" {
		t.Fatal("a fresh token is refused")
	}
	if tok == c.FormToken(ref, now) {
		t.Fatal("two renders got the same token")
	}
	other := &Card{Enabled: true, ID: id}
	other.ID, other.Key = newCardID()
	parts := strings.Split(tok, ".")
	for name, bad := range map[string]string{
		"stale":          "",
		"other event":    "",
		"rotated card":   "",
		"forged time":    parts[0] + ".9999999999." + parts[2],
		"forged nonce":   "AAAAAAAAAAAAAAAA." + parts[1] + "." + parts[2],
		"garbage":        "x.y",
		"empty":          "",
		"made elsewhere": other.FormToken(ref, now),
	} {
		card, r, at := c, ref, now
		switch name {
		case "stale":
			bad, at = tok, now.Add(FormTokenTTL+time.Minute)
		case "other event":
			bad, r = tok, c.EventRef("ev2")
		case "rotated card":
			bad, card = tok, other
		}
		if _, ok := card.CheckFormToken(r, bad, at); ok {
			t.Errorf("%s token accepted", name)
		}
	}
}
