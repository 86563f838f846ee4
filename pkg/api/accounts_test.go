package api_test

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/web"
)

func TestSignup(t *testing.T) {
	t.Run("OK_FirstUserThenClosed", func(t *testing.T) {
		s := MustServe(t)
		r := s.Do(t, "POST", "/v1/signup", "", map[string]any{"email": " Ada@Example.COM ", "name": "Ada", "timezone": "Asia/Tokyo"})
		MustStatus(t, r, 201)
		m := r.JSON(t)
		u := m["user"].(map[string]any)
		if got, want := u["email"], "ada@example.com"; got != want {
			t.Fatalf("email=%v, want %v", got, want)
		}
		if got, want := u["timezone"], "Asia/Tokyo"; got != want {
			t.Fatalf("timezone=%v, want %v", got, want)
		}
		if got, want := u["nudge_hour"], 9.0; got != want {
			t.Fatalf("nudge_hour=%v, want %v", got, want)
		}
		tok := m["token"].(string)
		if len(tok) < 40 {
			t.Fatalf("token %q is too short for 128 bits", tok)
		}
		MustProblem(t, s.Do(t, "POST", "/v1/signup", "", map[string]any{"email": "bob@example.com", "name": "Bob"}), 403)
	})
	t.Run("OK_OpenSignup", func(t *testing.T) {
		s := MustServe(t, openSignup)
		s.MustSignup(t, "a@example.com")
		s.MustSignup(t, "b@example.com")
		MustProblem(t, s.Do(t, "POST", "/v1/signup", "", map[string]any{"email": "A@example.com", "name": "Again"}), 409)
	})
	t.Run("ErrConcurrentFirstSignup", func(t *testing.T) {
		s := MustServe(t)
		var wg sync.WaitGroup
		statuses := make([]int, 8)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = s.Do(t, "POST", "/v1/signup", "", map[string]any{"email": fmt.Sprintf("u%d@example.com", i), "name": "U"}).Status
			}()
		}
		wg.Wait()
		created := 0
		for _, st := range statuses {
			if st == 201 {
				created++
			} else if st != 403 {
				t.Fatalf("status %d, want 201 or 403", st)
			}
		}
		if created != 1 {
			t.Fatalf("%d users created, want 1", created)
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		s := MustServe(t)
		MustProblem(t, s.Do(t, "POST", "/v1/signup", "", map[string]any{"email": "nope", "name": "X"}), 422, "email")
		MustProblem(t, s.Do(t, "POST", "/v1/signup", "", map[string]any{"email": "a@example.com", "name": "", "timezone": "Mars/Olympus"}), 422, "name", "timezone")
		MustProblem(t, s.Do(t, "POST", "/v1/signup", "", map[string]any{"email": map[string]any{"$gt": ""}, "name": "X"}), 422, "email")
		MustProblem(t, s.Do(t, "POST", "/v1/signup", "", map[string]any{"email": "a@example.com", "name": "X", "admin": true}), 422, "admin")
		MustProblem(t, s.Do(t, "POST", "/v1/signup", "", `{"email": "a@example.com",`), 400)
		MustProblem(t, s.Do(t, "POST", "/v1/signup", "", `[1,2]`), 400)
		r := s.Do(t, "POST", "/v1/signup", "", nil, "Content-Type", "text/plain")
		MustProblem(t, r, 415)
		big := `{"email":"a@example.com","name":"` + strings.Repeat("x", 1<<20) + `"}`
		MustProblem(t, s.Do(t, "POST", "/v1/signup", "", big), 413)
		// Nothing above created a user: the first real sign-up still works.
		s.MustSignup(t, "first@example.com")
	})
}

func TestMe(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	t.Run("OK_Patch", func(t *testing.T) {
		r := s.Do(t, "PATCH", "/v1/me", tok, map[string]any{
			"name": "Ada L", "nudge_hour": 7, "timezone": "America/New_York",
			"notify":          map[string]any{"webhook_url": "https://hooks.example.com/x", "webhook_secret": "s3cret"},
			"followup_policy": map[string]any{"check_in_days": 21},
			"agenda":          map[string]any{"enabled": true, "schedule": "30 7 * * FRI"},
		})
		MustStatus(t, r, 200)
		m := r.JSON(t)
		if got, want := m["name"], "Ada L"; got != want {
			t.Fatalf("name=%v, want %v", got, want)
		}
		n := m["notify"].(map[string]any)
		if got, want := n["webhook_secret_set"], true; got != want {
			t.Fatalf("webhook_secret_set=%v, want %v", got, want)
		}
		if strings.Contains(string(r.Body), "s3cret") {
			t.Fatalf("the webhook secret is written out: %s", r.Body)
		}
		p := m["followup_policy"].(map[string]any)
		if p["check_in_days"] != 21.0 || p["thank_you_days"] != 1.0 {
			t.Fatalf("followup_policy=%v, want check_in 21 and thank_you unchanged", p)
		}
		// Absent fields stay; null restores the default.
		r = s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"nudge_hour": nil, "notify": map[string]any{"webhook_url": nil, "webhook_secret": nil}})
		MustStatus(t, r, 200)
		m = r.JSON(t)
		if got, want := m["nudge_hour"], 9.0; got != want {
			t.Fatalf("nudge_hour=%v after null, want %v", got, want)
		}
		if got, want := m["timezone"], "America/New_York"; got != want {
			t.Fatalf("timezone=%v, want unchanged %v", got, want)
		}
		// GET shows what PATCH stored.
		r = s.Do(t, "GET", "/v1/me", tok, nil)
		MustStatus(t, r, 200)
		if got, want := r.JSON(t)["name"], "Ada L"; got != want {
			t.Fatalf("GET name=%v, want %v", got, want)
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		MustProblem(t, s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"nudge_hour": 24, "timezone": "Nowhere/City", "agenda": map[string]any{"schedule": "0 0 31 2 *"}}),
			422, "nudge_hour", "timezone", "agenda.schedule")
		MustProblem(t, s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"agenda": map[string]any{"schedule": "every day please"}}), 422, "agenda.schedule")
		MustProblem(t, s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"email": "x@example.com"}), 422, "email")
		MustProblem(t, s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"notify": map[string]any{"webhook_url": "ftp://x", "webhook_secret": "k"}}), 422, "notify.webhook_url")
		MustProblem(t, s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"notify": map[string]any{"webhook_url": "https://x.example"}}), 422, "notify.webhook_secret")
		MustProblem(t, s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"name": map[string]any{"$set": "x"}}), 422, "name")
		MustProblem(t, s.Do(t, "PATCH", "/v1/me", tok, `"just a string"`), 400)
	})
}

func TestTokens(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, otherTok := s.MustSignup(t, "bob@example.com")

	r := s.Do(t, "POST", "/v1/tokens", tok, map[string]any{"name": "laptop"})
	MustStatus(t, r, 201)
	var created struct{ ID, Name, Token string }
	r.Decode(t, &created)
	if created.Token == "" || created.Name != "laptop" {
		t.Fatalf("created=%+v", created)
	}
	MustStatus(t, s.Do(t, "GET", "/v1/me", created.Token, nil), 200)

	r = s.Do(t, "GET", "/v1/tokens", tok, nil)
	MustStatus(t, r, 200)
	if strings.Contains(string(r.Body), created.Token) || strings.Contains(string(r.Body), `"hash"`) {
		t.Fatalf("token list shows a secret: %s", r.Body)
	}
	var list struct{ Items []struct{ ID, Name string } }
	r.Decode(t, &list)
	if got, want := len(list.Items), 2; got != want {
		t.Fatalf("%d tokens, want %d", got, want)
	}

	t.Run("ErrOtherUsersToken", func(t *testing.T) {
		MustProblem(t, s.Do(t, "DELETE", "/v1/tokens/"+created.ID, otherTok, nil), 404)
		MustStatus(t, s.Do(t, "GET", "/v1/me", created.Token, nil), 200)
	})
	t.Run("OK_Revoke", func(t *testing.T) {
		MustStatus(t, s.Do(t, "DELETE", "/v1/tokens/"+created.ID, tok, nil), 204)
		MustProblem(t, s.Do(t, "GET", "/v1/me", created.Token, nil), 401)
	})
	t.Run("ErrUnauthorizedNamesBearer", func(t *testing.T) {
		// RFC 9110 §11.6.1 (PRODUCT.md §2): every 401 on /v1 and /mcp
		// names the scheme.
		for _, path := range []string{"/v1/me", "/mcp"} {
			r := s.Do(t, "POST", path, "nope", nil)
			if got := r.Header.Get("WWW-Authenticate"); r.Status != 401 || got != `Bearer realm="Rapport"` {
				t.Fatalf("%s: %d, WWW-Authenticate %q", path, r.Status, got)
			}
		}
		MustProblem(t, s.Do(t, "DELETE", "/v1/tokens/"+created.ID, tok, nil), 404)
	})
	t.Run("ErrName", func(t *testing.T) {
		MustProblem(t, s.Do(t, "POST", "/v1/tokens", tok, map[string]any{"name": "  "}), 422, "name")
	})
}

func TestAuthFailures(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	for name, h := range map[string]string{
		"Missing":    "",
		"NotBearer":  "Basic " + tok,
		"Garbage":    "Bearer nonsense",
		"WrongToken": "Bearer rpt_" + strings.Repeat("A", 43),
		"Truncated":  "Bearer " + tok[:len(tok)-1],
	} {
		t.Run("Err"+name, func(t *testing.T) {
			r := s.Do(t, "GET", "/v1/me", "", nil, "Authorization", h)
			MustProblem(t, r, 401)
			if strings.Contains(string(r.Body), "mongo") || strings.Contains(string(r.Body), "goroutine") {
				t.Fatalf("problem leaks internals: %s", r.Body)
			}
		})
	}
	t.Run("ErrRateLimited", func(t *testing.T) {
		var last *Response
		for i := 0; i < 25; i++ {
			last = s.Do(t, "GET", "/v1/me", "rpt_bad", nil)
		}
		MustProblem(t, last, 429)
		if last.Header.Get("Retry-After") == "" {
			t.Fatalf("429 without Retry-After")
		}
		// Even a good token waits while the address is blocked…
		MustProblem(t, s.Do(t, "GET", "/v1/me", tok, nil), 429)
		// …and works again after the window.
		s.Clock.Add(61 * time.Second)
		MustStatus(t, s.Do(t, "GET", "/v1/me", tok, nil), 200)
	})
}

func TestOps(t *testing.T) {
	s := MustServe(t)
	MustStatus(t, s.Do(t, "GET", "/healthz", "", nil), 200)
	MustStatus(t, s.Do(t, "GET", "/readyz", "", nil), 200)
	r := s.Do(t, "GET", "/v1/nothing-here", "", nil, "X-Request-Id", "abc-123")
	MustProblem(t, r, 401)
	if got, want := r.Header.Get("X-Request-Id"), "abc-123"; got != want {
		t.Fatalf("X-Request-Id=%q, want %q", got, want)
	}
	MustProblem(t, s.Do(t, "GET", "/nothing-here", "", nil), 404)
	r = s.Do(t, "GET", "/metrics", "", nil)
	MustStatus(t, r, 200)
	if !strings.Contains(string(r.Body), "rapport_http_request_duration_seconds") {
		t.Fatalf("metrics lack the request histogram")
	}
}

func TestIdempotencyKey(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	first := s.Do(t, "POST", "/v1/tokens", tok, map[string]any{"name": "phone"}, "Idempotency-Key", "k-1")
	MustStatus(t, first, 201)
	t.Run("OK_Replay", func(t *testing.T) {
		again := s.Do(t, "POST", "/v1/tokens", tok, map[string]any{"name": "phone"}, "Idempotency-Key", "k-1")
		MustStatus(t, again, 201)
		if string(again.Body) != string(first.Body) {
			t.Fatalf("replay body differs:\n%s\n%s", again.Body, first.Body)
		}
		if again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay not marked")
		}
		var list struct{ Items []any }
		s.Do(t, "GET", "/v1/tokens", tok, nil).Decode(t, &list)
		if got, want := len(list.Items), 2; got != want {
			t.Fatalf("%d tokens, want %d (sign-up + one)", got, want)
		}
	})
	t.Run("ErrKeyReusedForOtherRequest", func(t *testing.T) {
		MustProblem(t, s.Do(t, "POST", "/v1/tokens", tok, map[string]any{"name": "tablet"}, "Idempotency-Key", "k-1"), 422, "Idempotency-Key")
	})
	t.Run("ErrValidationIsReplayedToo", func(t *testing.T) {
		r1 := s.Do(t, "POST", "/v1/tokens", tok, map[string]any{"name": ""}, "Idempotency-Key", "k-2")
		r2 := s.Do(t, "POST", "/v1/tokens", tok, map[string]any{"name": ""}, "Idempotency-Key", "k-2")
		MustProblem(t, r2, 422, "name")
		if r1.Status != r2.Status {
			t.Fatalf("statuses %d, %d", r1.Status, r2.Status)
		}
	})
	t.Run("OK_ExpiresAfter24h", func(t *testing.T) {
		s.Clock.Add(25 * time.Hour)
		again := s.Do(t, "POST", "/v1/tokens", tok, map[string]any{"name": "phone"}, "Idempotency-Key", "k-1")
		MustStatus(t, again, 201)
		if string(again.Body) == string(first.Body) {
			t.Fatalf("a 25-hour-old key replayed")
		}
	})
	t.Run("OK_KeysArePerUser", func(t *testing.T) {
		s2 := MustServe(t, openSignup)
		_, a := s2.MustSignup(t, "a@example.com")
		_, b := s2.MustSignup(t, "b@example.com")
		ra := s2.Do(t, "POST", "/v1/tokens", a, map[string]any{"name": "x"}, "Idempotency-Key", "same")
		rb := s2.Do(t, "POST", "/v1/tokens", b, map[string]any{"name": "x"}, "Idempotency-Key", "same")
		MustStatus(t, ra, 201)
		MustStatus(t, rb, 201)
		if string(ra.Body) == string(rb.Body) {
			t.Fatalf("user b got user a's response")
		}
	})
}

// TestMeRoutes: the password, the card's QR code and its rotation, and the
// inbound address's rotation, on the API itself (the pages' tests drive
// them through the phone too).
func TestMeRoutes(t *testing.T) {
	s := MustServe(t, func(d *api.Deps, _ *web.Deps) { d.InboundDomain = "in.rapport.test" })
	_, tok := s.MustSignup(t, "ada@example.com")
	t.Run("Password", func(t *testing.T) {
		MustProblem(t, s.Do(t, "PUT", "/v1/me/password", tok, map[string]any{"password": "short"}), 422, "password")
		MustStatus(t, s.Do(t, "PUT", "/v1/me/password", tok, map[string]any{"password": "correct horse battery"}), 204)
		// Once set, changing it takes the current one.
		MustProblem(t, s.Do(t, "PUT", "/v1/me/password", tok, map[string]any{"password": "another long one", "current_password": "wrong password!"}), 403, "current_password")
		MustStatus(t, s.Do(t, "PUT", "/v1/me/password", tok, map[string]any{"password": "another long one", "current_password": "correct horse battery"}), 204)
	})
	t.Run("Card", func(t *testing.T) {
		MustStatus(t, s.Do(t, "GET", "/v1/me/card.png", tok, nil), 409) // the card is off
		me := s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"card": map[string]any{"enabled": true, "headline": "Gopher"}})
		MustStatus(t, me, 200)
		card := me.JSON(t)["card"].(map[string]any)["card_id"].(string)
		png := s.Do(t, "GET", "/v1/me/card.png", tok, nil)
		MustStatus(t, png, 200)
		if png.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(png.Body, []byte("\x89PNG")) || !strings.HasSuffix(png.Header.Get("X-Card-URL"), "/c/"+card) {
			t.Fatalf("card.png: %s, X-Card-URL %s, %d bytes", png.Header.Get("Content-Type"), png.Header.Get("X-Card-URL"), len(png.Body))
		}
		rot := s.Do(t, "POST", "/v1/me/card/rotate", tok, nil)
		MustStatus(t, rot, 200)
		if now := rot.JSON(t)["card"].(map[string]any)["card_id"]; now == card || now == "" {
			t.Fatalf("card_id after a rotation: %v (was %s)", now, card)
		}
		MustStatus(t, s.Do(t, "GET", "/c/"+card, "", nil), 404)
	})
	t.Run("Inbound", func(t *testing.T) {
		first := s.Do(t, "GET", "/v1/me", tok, nil).JSON(t)["inbound_email"].(string)
		r := s.Do(t, "POST", "/v1/me/inbound/rotate", tok, nil)
		MustStatus(t, r, 200)
		if addr := r.JSON(t)["inbound_email"].(string); addr == first || !strings.HasSuffix(addr, "@in.rapport.test") {
			t.Fatalf("inbound_email after a rotation: %s (was %s)", addr, first)
		}
		off := MustServe(t)
		_, offTok := off.MustSignup(t, "bob@example.com")
		MustStatus(t, off.Do(t, "POST", "/v1/me/inbound/rotate", offTok, nil), 409)
	})
}
