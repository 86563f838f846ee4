package web

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/dispatch"
	"github.com/rapport-crm/rapport/pkg/ratelimit"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/words"
)

// Signing in on the pages: the sign-in form (password or token), sessions
// and their CSRF check, sign-out, sign-up from the phone, and one-time
// sign-in links by email.

// loginCookie carries the sign-in form's CSRF token (double submit): a
// sign-in posted from another site has no cookie to match, so nobody can
// sign a victim in to the attacker's account.
const loginCookie = "rapport_login"

func (s *pages) handleWebLoginForm(c *fiber.Ctx) error {
	return s.renderLogin(c, 200, webPage{Title: "Sign in", Form: map[string]string{"next": safeNext(c.Query("next"))}, Errors: map[string]string{}})
}

// renderLogin renders the sign-in form with a fresh CSRF token in the
// form and in a short-lived cookie.
func (s *pages) renderLogin(c *fiber.Ctx, status int, p webPage) error {
	if s.Mailer != nil {
		p.Form["mail"] = "on"
	}
	p.CSRF, _ = accounts.NewSecret("")
	c.Cookie(&fiber.Cookie{Name: loginCookie, Value: p.CSRF, Path: "/app/login", HTTPOnly: true, Secure: s.secure(c),
		SameSite: fiber.CookieSameSiteStrictMode, MaxAge: 3600})
	return s.render(c, status, "login", p)
}

// serviceWorker is the phone pages' service worker (offline support).
var serviceWorker, _ = webFiles.ReadFile("webui/sw.js")

// manifest is the web app manifest (webui/manifest.webmanifest).
var manifest, _ = webFiles.ReadFile("webui/manifest.webmanifest")

// handleServiceWorker serves sw.js from /app, so its scope is the phone
// pages; it is revalidated on every load so a new version takes over.
func (s *pages) handleServiceWorker(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	c.Set("Cache-Control", "no-cache")
	c.Set("Service-Worker-Allowed", "/app")
	return c.Send(serviceWorker)
}

// handleManifest serves the web app manifest: added to a phone's home
// screen, the pages open as an app of their own at the log form, with
// Rapport's name and icon.
func (s *pages) handleManifest(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "application/manifest+json")
	c.Set("Cache-Control", "public, max-age=3600")
	return c.Send(manifest)
}

// safeNext returns next if it is a path of the phone pages on this site
// (where to go after signing in), else "".
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/app") || strings.HasPrefix(next, "/app/login") || strings.ContainsAny(next, "\\\r\n") || strings.Contains(next, "//") {
		return ""
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return next
}

// handleWebLogin signs in with an email and a password or an API token and starts a
// session. Failures count towards the same rate limit as the API's.
func (s *pages) handleWebLogin(c *fiber.Ctx) error {
	email := strings.ToLower(strings.TrimSpace(c.FormValue("email")))
	// A password is taken exactly as typed (spaces are part of it, as
	// PUT /v1/me/password stored them); an API token is trimmed.
	password := c.FormValue("token")
	token := strings.TrimSpace(password)
	next := safeNext(utils.CopyString(c.FormValue("next")))
	page := webPage{Title: "Sign in", Form: map[string]string{"email": utils.CopyString(email), "next": next}, Errors: map[string]string{}}
	ip, status, problem := s.gate(c, loginCookie, "The sign-in form was stale or came from another site; please sign in again.", "Too many failed sign-ins")
	if status != 0 {
		page.Problem = problem
		return s.renderLogin(c, status, page)
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	// The secret is a password, or an API token (which starts rpt_).
	var u *accounts.User
	var err error
	if strings.HasPrefix(token, "rpt_") {
		u, _, err = s.Accounts.Authenticate(ctx, token)
		if err == nil && u.Email != email {
			u, err = nil, apperr.E(apperr.Unauthorized, "wrong email")
		}
	} else {
		u, err = s.Accounts.CheckPassword(ctx, email, password)
	}
	if err != nil {
		if apperr.Is(err, apperr.Unauthorized) {
			s.AuthFails.Fail(ip)
			page.Errors["token"] = "This email and password (or token) do not match."
			return s.renderLogin(c, 401, page)
		}
		return err
	}
	if err := s.startSession(ctx, c, u.ID); err != nil {
		return err
	}
	c.ClearCookie(loginCookie)
	if next == "" {
		next = "/app"
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// webSession requires a session for /app pages (else to the sign-in page)
// and a matching CSRF token on every POST.
func (s *pages) webSession(c *fiber.Ctx) error {
	if !isPage(c.Path()) { // Group("/app") matches /application too: not a page
		return c.Next()
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	sess, u, err := s.Accounts.Session(ctx, c.Cookies(sessionCookie))
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return s.toLogin(c)
		}
		return err
	}
	// Known before the form's check, so that the page refusing a stale
	// form is the signed-in layout, with the way back to the pages.
	api.SetUser(c, u)
	c.Locals("rapport.csrf", sess.CSRF)
	c.Locals("rapport.session", sess.Hash)
	if c.Method() == fiber.MethodPost && !accounts.SameHash(c.FormValue("csrf"), sess.CSRF) {
		return apperr.E(apperr.Forbidden, "the form is stale or came from another site; reload the page and try again")
	}
	release, err := api.TakeRequest(c, s.Requests, u.ID)
	if err != nil {
		return err
	}
	defer release()
	return c.Next()
}

// toLogin sends a request without a session to the sign-in page, which
// brings the user back to the page asked for (GET) afterwards.
func (s *pages) toLogin(c *fiber.Ctx) error {
	target := "/app/login"
	if c.Method() == fiber.MethodGet {
		if next := safeNext(string(c.Request().URI().RequestURI())); next != "" && next != "/app/" && next != "/app" {
			target += "?next=" + url.QueryEscape(next)
		}
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

func (s *pages) handleWebLogout(c *fiber.Ctx) error {
	hash, _ := c.Locals("rapport.session").(string)
	if err := s.Accounts.EndSession(c.UserContext(), hash); err != nil {
		return err
	}
	s.dropSessionCookie(c)
	return c.Redirect("/app/login", fiber.StatusSeeOther)
}

// dropSessionCookie tells the browser to forget the session cookie.
func (s *pages) dropSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: "", Path: "/app", HTTPOnly: true, Secure: s.secure(c),
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(0, 0)})
}

// gate checks a form posted without a session (sign-in, sign-up, sign-in
// links): its CSRF token against the cookie it was rendered with, then the
// limit on failed sign-ins. It returns the client's address, or the status
// and problem to show the form again with.
func (s *pages) gate(c *fiber.Ctx, cookie, stale, busy string) (ip string, status int, problem string) {
	if want := c.Cookies(cookie); want == "" || !accounts.SameHash(c.FormValue("csrf"), want) {
		return "", fiber.StatusForbidden, stale
	}
	ip = c.IP()
	if wait := s.AuthFails.Blocked(ip); wait > 0 {
		return "", fiber.StatusTooManyRequests, fmt.Sprintf("%s; try again in %s.", busy, words.Counted(ratelimit.RetryAfter(wait), "second"))
	}
	return ip, 0, ""
}

// startSession signs the user in on this device: a stored session and
// its cookie.
func (s *pages) startSession(ctx context.Context, c *fiber.Ctx, userID string) error {
	_, secret, err := s.Accounts.StartSession(ctx, userID, sessionTTL)
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: secret, Path: "/app", HTTPOnly: true, Secure: s.secure(c),
		SameSite: fiber.CookieSameSiteLaxMode, Expires: s.Now().Add(sessionTTL)})
	return nil
}

// signupCookie carries the sign-up form's CSRF token (double submit, as
// the sign-in form's).
const signupCookie = "rapport_signup"

func (s *pages) handleWebSignupForm(c *fiber.Ctx) error {
	return s.renderSignup(c, 200, webPage{Title: "Create your account", Form: map[string]string{}, Errors: map[string]string{}})
}

func (s *pages) renderSignup(c *fiber.Ctx, status int, p webPage) error {
	p.CSRF, _ = accounts.NewSecret("")
	c.Cookie(&fiber.Cookie{Name: signupCookie, Value: p.CSRF, Path: "/app/signup", HTTPOnly: true, Secure: s.secure(c),
		SameSite: fiber.CookieSameSiteStrictMode, MaxAge: 3600})
	return s.render(c, status, "signup", p)
}

// handleWebSignup creates an account from the phone (the first one, or any
// with CRM_OPEN_SIGNUP), with its password, signs it in and shows its API
// token once. Refusals count towards the failed sign-in limit, so the form
// cannot be used to probe for registered emails at speed.
func (s *pages) handleWebSignup(c *fiber.Ctx) error {
	page := webPage{Title: "Create your account", Form: map[string]string{}, Errors: map[string]string{}}
	for _, k := range []string{"name", "email"} {
		page.Form[k] = utils.CopyString(strings.TrimSpace(c.FormValue(k)))
	}
	password := c.FormValue("password")
	ip, status, problem := s.gate(c, signupCookie, "The form was stale or came from another site; please try again.", "Too many attempts")
	if status != 0 {
		page.Problem = problem
		return s.renderSignup(c, status, page)
	}
	if n := utf8.RuneCountInString(password); n < accounts.MinPassword || len(password) > 72 {
		page.Errors["password"] = "Use 10 to 72 characters."
		return s.renderSignup(c, fiber.StatusUnprocessableEntity, page)
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	// The browser's time zone, so that nudges come at the user's nine
	// o'clock, not UTC's; one the server does not know is left out.
	tz := strings.TrimSpace(c.FormValue("timezone"))
	if _, err := time.LoadLocation(tz); err != nil || tz == "" || tz == "Local" {
		tz = ""
	}
	u, tok, err := s.Accounts.Signup(ctx, accounts.SignupInput{Email: page.Form["email"], Name: page.Form["name"], Timezone: utils.CopyString(tz)}, s.OpenSignup)
	if err != nil {
		var ae *apperr.Error
		if !errors.As(err, &ae) {
			return err
		}
		switch ae.Kind {
		case apperr.Invalid:
			for _, f := range ae.Fields {
				page.Errors[f.Field] = f.Message
			}
			return s.renderSignup(c, fiber.StatusUnprocessableEntity, page)
		case apperr.Conflict, apperr.Forbidden:
			s.AuthFails.Fail(ip)
			page.Problem = "This server does not take new accounts, or this email has one already: sign in instead."
			return s.renderSignup(c, fiber.StatusForbidden, page)
		}
		return err
	}
	if err := s.Accounts.SetPassword(ctx, u.ID, accounts.PasswordInput{Password: password}); err != nil {
		return err
	}
	if err := s.startSession(ctx, c, u.ID); err != nil {
		return err
	}
	c.ClearCookie(signupCookie)
	page.Form["token"] = tok.Token
	page.Form["name"] = u.Name
	return s.render(c, 201, "signup", page)
}

// loginLinkTTL is how long an emailed sign-in link works.
const loginLinkTTL = 15 * time.Minute

// LinkMailsPerEmail is how many sign-in links one email is sent in
// loginLinkTTL, however many addresses ask: each address's own limit
// bounds what it can ask, not what a crowd of them can make the server
// send one person.
const LinkMailsPerEmail = 5

// handleWebLinkRequest emails a one-time sign-in link. The answer is the
// same whether or not the email has an account; every request counts
// towards the failed sign-in limit, which bounds the mail one address can
// make the server send, and LinkMailsPerEmail bounds what one email is
// sent.
func (s *pages) handleWebLinkRequest(c *fiber.Ctx) error {
	// Copied: Fiber reuses the request's memory, and the email outlives
	// it (a key of linkMails, the sending below).
	email := utils.CopyString(strings.ToLower(strings.TrimSpace(c.FormValue("email"))))
	page := webPage{Title: "Sign in", Form: map[string]string{"email": email}, Errors: map[string]string{}}
	if s.Mailer == nil {
		return apperr.E(apperr.NotFound, "sign-in links are off on this server (no CRM_SMTP_URL)")
	}
	ip, status, problem := s.gate(c, loginCookie, "The sign-in form was stale or came from another site; please try again.", "Too many attempts")
	if status != 0 {
		page.Problem = problem
		return s.renderLogin(c, status, page)
	}
	s.AuthFails.Fail(ip)
	page.Notice = "If " + email + " has an account, a sign-in link is on its way. It works once, for 15 minutes."
	if s.linkMails.Blocked(email) > 0 {
		s.Logger.Warn("web: sign-in link not sent: enough sent to this email lately")
		return s.renderLogin(c, 200, page)
	}
	s.linkMails.Fail(email)
	// The answer is the same, and as quick, whether or not the email has an
	// account: looking it up, making the link and sending it happen after
	// (a failure is logged; showing it would tell that the account exists).
	select {
	case linkSends <- struct{}{}:
		go func() {
			defer func() { <-linkSends }()
			s.sendLoginLink(email)
		}()
	default:
		s.Logger.Warn("web: sign-in link not sent: too many being sent")
	}
	return s.renderLogin(c, 200, page)
}

// linkSends bounds the sign-in emails being sent at once.
var linkSends = make(chan struct{}, 16)

// sendLoginLink emails a one-time sign-in link to email if it has an
// account; nothing otherwise.
func (s *pages) sendLoginLink(email string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	u, err := s.Accounts.UserByEmail(ctx, email)
	if err != nil {
		if !apperr.Is(err, apperr.NotFound) {
			s.Logger.Error("web: sign-in link: look up the email", "err", err)
		}
		return
	}
	secret, err := s.Accounts.StartLoginLink(ctx, u.ID, loginLinkTTL)
	if err != nil {
		s.Logger.Error("web: sign-in link: store it", "err", err)
		return
	}
	link := s.BaseURL + "/app/login/link?t=" + url.QueryEscape(secret)
	msg := dispatch.Email{To: u.Email, Subject: "Sign in to Rapport", MessageID: s.Mailer.MessageID("signin-" + record.NewID()), Date: s.Now(),
		Text: "Open this link on your phone to sign in to Rapport (it works once, for 15 minutes):\n\n" + link +
			"\n\nIf you did not ask for it, ignore this email: nobody can sign in without it.\n"}
	if err := s.Mailer.Send(ctx, msg); err != nil {
		s.Logger.Error("web: sign-in link: send the email", "user_id", u.ID, "err", err)
	}
}

// handleWebLinkOpen shows a button that uses the link: opening the link
// alone signs nobody in, so a mail scanner that fetches it does not use
// it up.
func (s *pages) handleWebLinkOpen(c *fiber.Ctx) error {
	p := webPage{Title: "Sign in", Form: map[string]string{"link": utils.CopyString(c.Query("t"))}, Errors: map[string]string{}}
	return s.renderLogin(c, 200, p)
}

// handleWebLinkUse signs in with a link, once.
func (s *pages) handleWebLinkUse(c *fiber.Ctx) error {
	page := webPage{Title: "Sign in", Form: map[string]string{}, Errors: map[string]string{}}
	ip, status, problem := s.gate(c, loginCookie, "The sign-in form was stale or came from another site; open the link again.", "Too many attempts")
	if status != 0 {
		page.Problem = problem
		return s.renderLogin(c, status, page)
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	u, err := s.Accounts.UseLoginLink(ctx, strings.TrimSpace(c.FormValue("link")))
	if err != nil {
		if apperr.Is(err, apperr.Unauthorized) {
			s.AuthFails.Fail(ip)
			page.Problem = "This sign-in link is unknown, expired or used. Ask for a new one below, or sign in with your password."
			return s.renderLogin(c, 401, page)
		}
		return err
	}
	if err := s.startSession(ctx, c, u.ID); err != nil {
		return err
	}
	c.ClearCookie(loginCookie)
	return c.Redirect("/app", fiber.StatusSeeOther)
}
