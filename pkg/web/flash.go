package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/rapport-crm/rapport/pkg/input"
)

// A page redirected to after a form says how it went in its URL
// (?notice= or ?problem=, and sig=), so a reload or the phone's cached
// copy shows it again. The line is signed with the session's CSRF secret:
// a link from anyone else cannot put words on the user's pages (the
// layout shows them as the app's own, "Your account is locked, call …"),
// and a line that fails the check is not shown.

// maxFlash is how many characters of a line a redirect carries. A
// refusal may quote what was typed, and a URL longer than the server reads
// a request's headers in (4 KiB) would be refused with 431 before the page
// could show it.
const maxFlash = 300

// seeNotice redirects to target (a path, perhaps with a #fragment) with
// text as its notice.
func seeNotice(c *fiber.Ctx, target, text string) error {
	return c.Redirect(flashURL(c, target, "notice", text), fiber.StatusSeeOther)
}

// seeProblem redirects to target with line as its problem.
func seeProblem(c *fiber.Ctx, target, line string) error {
	return c.Redirect(flashURL(c, target, "problem", line), fiber.StatusSeeOther)
}

// flashURL is target (perhaps with a query of its own) with text, cut to
// maxFlash characters, as its kind ("notice" or "problem"), signed for
// this session.
func flashURL(c *fiber.Ctx, target, kind, text string) string {
	path, fragment, _ := strings.Cut(target, "#")
	text = input.Cut(text, maxFlash)
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	u := path + sep + url.Values{kind: {text}, "sig": {flashSig(c, kind, text)}}.Encode()
	if fragment != "" {
		u += "#" + fragment
	}
	return u
}

// flashes are the notice and the problem of the page's URL, each only when
// signed for this session (empty otherwise).
func flashes(c *fiber.Ctx) (notice, problem string) {
	sig := c.Query("sig")
	if sig == "" || sessionCSRF(c) == "" {
		return "", ""
	}
	shown := func(kind string) string {
		text := c.Query(kind)
		if text == "" || !hmac.Equal([]byte(sig), []byte(flashSig(c, kind, text))) {
			return ""
		}
		return text
	}
	return shown("notice"), shown("problem")
}

// flashSig signs kind and text with the session's CSRF secret; it is
// empty on a page without a session, which shows no line from its URL.
func flashSig(c *fiber.Ctx, kind, text string) string {
	secret := sessionCSRF(c)
	if secret == "" {
		return ""
	}
	mac := hmac.New(sha256.New, []byte("rapport flash\x00"+secret))
	mac.Write([]byte(kind + "\x00" + text))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:16])
}
