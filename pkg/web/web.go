// Package web serves the phone pages under /app: sign in with a session
// cookie, log a contact at today's event in two thumbs, follow-ups,
// calendar links and settings. Server-rendered HTML (html/template, embedded
// files), mounted on the API's Fiber app beside the JSON API.
package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/ratelimit"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/search"
)

// The phone pages at /app: server-rendered, no JavaScript needed (the
// calendar page's copy buttons are a small extra), calling the same
// services as the API.

//go:embed webui
var webFiles embed.FS

var webTemplates = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, page := range append([]string{"login", "signup", "log", "followups", "calendar", "settings", "devices", "contacts", "contact", "card", "scan", "duplicates"}, deskTemplates...) {
		out[page] = template.Must(template.New(page).Funcs(formFuncs).ParseFS(webFiles, "webui/layout.html", "webui/forms.html", "webui/"+page+".html"))
	}
	return out
}()

// Web sessions.
const (
	sessionCookie = "rapport_session"
	sessionTTL    = 30 * 24 * time.Hour
)

// webPage is what every page template gets.
type webPage struct {
	Title, Page     string
	User            *accounts.User
	CSRF            string
	Notice, Problem string
	Form            map[string]string
	Errors          map[string]string
	FormID          string
	Events          []webEvent
	Moments         []webMoment
	Followups       []webFollowup
	FollowupGroups  []webFollowupGroup
	Feeds           []webFeed
	People          []webPerson
	Pairs           []webPair
	Person          *webContact
	Card            *webCard
	Devices         []webDevice
	DevicesPage     *webDevices
	// Data is a desk page's own view (desk.go and the files beside it):
	// each page group its type, instead of one more field here.
	Data any
}

// webDevice is one device's calendar links (settings page) or app token
// (devices page): its name, when it was made and last used.
type webDevice struct{ ID, Name, Made, Used string }

// newWebDevice says in the user's days when a device's links or token were
// made and last used.
func newWebDevice(id, name string, made time.Time, used *time.Time, loc *time.Location) webDevice {
	d := webDevice{ID: id, Name: name, Made: made.In(loc).Format("2 Jan 2006"), Used: "never used"}
	if used != nil {
		d.Used = "last used " + used.In(loc).Format("2 Jan 2006")
	}
	return d
}

// webPerson is one line of the contact search.
type webPerson struct {
	ID, Name, Company, LastMet, Snippet string
	// Since and Email tell two people of one name apart (duplicates).
	Since, Email string
}

// webPair is two contacts that may be one person, and why.
type webPair struct {
	Reason string
	A, B   webPerson
}

// webContact is the contact page: what you need before you say hello.
type webContact struct {
	ID, Name, Company, Title, Notes string
	// Opening is the title the "they mentioned an opening" button files.
	Opening       string
	Opportunities []webOpportunity
	// Emails and Phones are links (mailto:, tel:) with what they call;
	// LinkedIn a link (https:).
	Emails, Phones []webLink
	LinkedIn       template.URL
	Met            []webMet
}

// webLink is a link and the text it shows (the address or number, so
// that two Email buttons say which is which).
type webLink struct {
	URL  template.URL
	Text string
}

// webOpportunity is one opportunity on the contact page.
type webOpportunity struct{ Title, Stage string }

// webMet is one encounter on the contact page.
type webMet struct{ When, Event, Moment, Topics, Notes string }

type webEvent struct{ ID, Title, When string }
type webMoment struct{ Value, Label string }
type webFollowup struct {
	ID, Title, Due, Note string
	Overdue              bool
	// ContactID links the title to the contact's page ("" when gone).
	ContactID string
	// DueInput is the due time as the re-date form's datetime-local shows
	// it; Write is the "Write it" mailto: link ("" without an email).
	DueInput string
	Write    template.URL
}

// webFollowupGroup is the follow-ups due in one span: overdue, today,
// this week, later.
type webFollowupGroup struct {
	Label string
	Items []webFollowup
}

// webFeed is one subscription link; Open, when set, is a link the phone's
// calendar app opens (webcal://, which html/template would otherwise refuse).
type webFeed struct {
	Key, Label, URL string
	Open            template.URL
}

var webMoments = []webMoment{{"before_talk", "Before the talk"}, {"during_talk", "During the talk"}, {"after_talk", "After the talk"}, {"other", "Other"}}

// Deps are what the pages need from the rest of the process.
type Deps struct {
	Accounts    *accounts.Service
	CRM         *crm.Service
	Idempotency *idempotency.Store
	// AuthFails is the API's limiter on failed sign-ins (the same one).
	AuthFails *ratelimit.Failures
	// BaseURL is the public URL of the server.
	BaseURL string
	Now     func() time.Time
	// OpenSignup allows sign-up after the first user (CRM_OPEN_SIGNUP).
	OpenSignup bool
	// Mailer sends one-time sign-in links; nil turns them off.
	Mailer followup.Mailer
	// CardLimits bound the public card's traffic; zero fields take the
	// defaults (CardViewsPerIP, CardPostsPerIP, CardPostsPerCard).
	CardLimits CardLimits
	// Logger logs what no page can show (a sign-in email that failed).
	Logger *slog.Logger
	// InboundDomain is the domain of the BCC addresses; "" when inbound
	// mail is off.
	InboundDomain string
	// FetchCard gets the vCard of a scanned Rapport card (see api.Deps).
	FetchCard func(ctx context.Context, url string) ([]byte, error)
}

// pages handles the /app routes and the public cards.
type pages struct {
	Deps
	cards cardLimits
}

// requestTimeout bounds the store work of one page.
const requestTimeout = 15 * time.Second

func (s *pages) ctx(c *fiber.Ctx) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.UserContext(), requestTimeout)
}

// user is who the session belongs to.
func user(c *fiber.Ctx) *accounts.User { return api.User(c) }

// Register mounts the phone pages on app.
func Register(app *fiber.App, d Deps) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.AuthFails == nil {
		d.AuthFails = ratelimit.NewFailures(ratelimit.AuthFailLimit, ratelimit.AuthFailWindow, d.Now)
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	s := &pages{Deps: d, cards: newCardLimits(d.CardLimits, d.Now)}
	s.register(app)
	s.registerCard(app)
}

func (s *pages) register(app *fiber.App) {
	static, _ := fs.Sub(webFiles, "webui")
	app.Use("/app/static", filesystem.New(filesystem.Config{Root: http.FS(static), MaxAge: 3600}))
	app.Get("/app/sw.js", s.handleServiceWorker)
	// The server's own address leads to the pages (the nudge emails'
	// footers link there).
	app.Get("/", func(c *fiber.Ctx) error { return c.Redirect("/app", fiber.StatusFound) })
	// Browsers ask for /favicon.ico on every page; the pages link the SVG.
	app.Get("/favicon.ico", func(c *fiber.Ctx) error { return c.Redirect("/app/static/favicon.svg", fiber.StatusMovedPermanently) })
	app.Get("/app/login", s.handleWebLoginForm)
	app.Post("/app/login", s.handleWebLogin)
	app.Post("/app/login/link", s.handleWebLinkRequest)
	app.Get("/app/login/link", s.handleWebLinkOpen)
	app.Post("/app/login/link/use", s.handleWebLinkUse)
	app.Get("/app/signup", s.handleWebSignupForm)
	app.Post("/app/signup", s.handleWebSignup)
	g := app.Group("/app", s.webSession)
	g.Post("/logout", s.handleWebLogout)
	g.Get("/", s.handleWebLog)
	g.Post("/encounters", s.handleWebEncounter)
	g.Get("/followups", s.handleWebFollowups)
	g.Post("/followups/:id/done", s.handleWebFollowupDone)
	g.Post("/followups/:id/snooze", s.handleWebFollowupSnooze)
	g.Get("/calendar", s.handleWebCalendar)
	g.Post("/calendar/links", s.handleWebCalendarLinks)
	g.Get("/contacts", s.handleWebContacts)
	g.Get("/contacts/:id", s.handleWebContact)
	g.Post("/contacts/:id/opportunities", s.handleWebOpening)
	g.Get("/duplicates", s.handleWebDuplicates)
	g.Post("/contacts/:id/merge", s.handleWebMerge)
	g.Get("/settings", s.handleWebSettings)
	g.Post("/settings", s.handleWebSettingsSave)
	g.Post("/settings/password", s.handleWebPassword)
	g.Post("/settings/devices/:id/revoke", s.handleWebDeviceRevoke)
	s.registerDevices(g)
	s.registerDesk(g)
	g.Get("/scan", s.handleWebScanPage)
	g.Post("/scan", s.handleWebScan)
	g.Get("/card", s.handleWebCard)
	g.Get("/card.png", s.handleWebCardPNG)
	g.Post("/card/on", s.handleWebCardOn)
	g.Post("/card/rotate", s.handleWebCardRotate)
}

func (s *pages) render(c *fiber.Ctx, status int, name string, p webPage) error {
	var b strings.Builder
	if err := webTemplates[name].ExecuteTemplate(&b, "layout", p); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set("Cache-Control", "no-store")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; script-src 'self' 'unsafe-inline'; style-src 'self'; form-action 'self'; frame-ancestors 'none'")
	return c.Status(status).SendString(b.String())
}

// secure reports whether the session cookie must be Secure: behind https
// (CRM_BASE_URL, TLS, or a proxy saying so).
func (s *pages) secure(c *fiber.Ctx) bool {
	return strings.HasPrefix(s.BaseURL, "https://") || c.Protocol() == "https" || c.Get("X-Forwarded-Proto") == "https"
}

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

// handleServiceWorker serves sw.js from /app, so its scope is the phone
// pages; it is revalidated on every load so a new version takes over.
func (s *pages) handleServiceWorker(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	c.Set("Cache-Control", "no-cache")
	c.Set("Service-Worker-Allowed", "/app")
	return c.Send(serviceWorker)
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
	ctx, cancel := s.ctx(c)
	defer cancel()
	sess, u, err := s.Accounts.Session(ctx, c.Cookies(sessionCookie))
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return s.toLogin(c)
		}
		return err
	}
	if c.Method() == fiber.MethodPost && !accounts.SameHash(c.FormValue("csrf"), sess.CSRF) {
		return apperr.E(apperr.Forbidden, "the form is stale or came from another site; reload the page and try again")
	}
	api.SetUser(c, u)
	c.Locals("rapport.csrf", sess.CSRF)
	c.Locals("rapport.session", sess.Hash)
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

func (s *pages) page(c *fiber.Ctx, title, name string) webPage {
	csrf, _ := c.Locals("rapport.csrf").(string)
	return webPage{Title: title, Page: name, User: user(c), CSRF: csrf, Form: map[string]string{}, Errors: map[string]string{},
		Notice: c.Query("notice"), Problem: c.Query("problem")}
}

func (s *pages) handleWebLogout(c *fiber.Ctx) error {
	hash, _ := c.Locals("rapport.session").(string)
	if err := s.Accounts.EndSession(c.UserContext(), hash); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: "", Path: "/app", HTTPOnly: true, Secure: s.secure(c),
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(0, 0)})
	return c.Redirect("/app/login", fiber.StatusSeeOther)
}

// handleWebLog shows the log-a-contact form with today's events first.
func (s *pages) handleWebLog(c *fiber.Ctx) error {
	p := s.page(c, "Log a contact", "log")
	p.Form["moment"] = "after_talk"
	return s.renderLog(c, 200, p)
}

// nearEvents are the events of yesterday, today and tomorrow, and the
// one nearest to now.
type nearEvents struct {
	list    []webEvent
	closest string
}

func (s *pages) todaysEvents(c *fiber.Ctx, u *accounts.User) (nearEvents, error) {
	ctx, cancel := s.ctx(c)
	defer cancel()
	loc := u.Location()
	now := s.Now().In(loc)
	from := time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, loc).UTC()
	to := from.Add(3 * 24 * time.Hour)
	page, err := s.CRM.Events.List(ctx, u.ID, events.Filter{From: &from, To: &to, Limit: 50})
	if err != nil {
		return nearEvents{}, err
	}
	var out nearEvents
	for _, e := range page.Items {
		out.list = append(out.list, webEvent{ID: e.ID, Title: e.Title, When: e.StartsAt.In(loc).Format("Mon 15:04")})
	}
	out.closest = closest(page.Items, s.Now())
	return out, nil
}

func (s *pages) renderLog(c *fiber.Ctx, status int, p webPage) error {
	evs, err := s.todaysEvents(c, user(c))
	if err != nil {
		return err
	}
	p.Events = evs.list
	if p.Form["event_id"] == "" && p.Form["event_title"] == "" {
		p.Form["event_id"] = evs.closest
	}
	p.Moments = webMoments
	p.FormID, _ = accounts.NewSecret("form_")
	return s.render(c, status, "log", p)
}

// closest picks the event nearest to now.
func closest(evs []events.Event, now time.Time) string {
	best, bestD := "", time.Duration(1<<62)
	for _, e := range evs {
		d := e.StartsAt.Sub(now)
		if d < 0 {
			d = -d
		}
		if d < bestD {
			best, bestD = e.ID, d
		}
	}
	return best
}

// handleWebEncounter logs a contact at an event. The form carries a one-time
// id: a second submit of the same form (a slow network, a double tap) finds
// the first one's record and creates nothing.
func (s *pages) handleWebEncounter(c *fiber.Ctx) error {
	p := s.page(c, "Log a contact", "log")
	for _, k := range []string{"event_id", "event_title", "name", "email", "moment", "notes", "company", "title", "phone", "linkedin_url", "topics"} {
		p.Form[k] = utils.CopyString(strings.TrimSpace(c.FormValue(k)))
	}
	u := user(c)
	formID := utils.CopyString(c.FormValue("form_id"))
	ctx, cancel := s.ctx(c)
	defer cancel()
	if formID != "" && s.Idempotency != nil {
		rec, err := s.Idempotency.Begin(ctx, u.ID, "web:"+formID, idempotency.Fingerprint([]byte("web-encounter")))
		if err != nil {
			if apperr.Is(err, apperr.Conflict) {
				return c.Redirect("/app?notice="+url.QueryEscape("Saving… (that was a second tap)"), fiber.StatusSeeOther)
			}
			return err
		}
		if rec != nil {
			return c.Redirect(string(rec.Body), fiber.StatusSeeOther)
		}
	}
	target, err := s.webLogEncounter(ctx, u, p.Form)
	if err != nil {
		if formID != "" && s.Idempotency != nil {
			s.Idempotency.Abort(context.WithoutCancel(ctx), u.ID, "web:"+formID)
		}
		var ae *apperr.Error
		if errors.As(err, &ae) && (ae.Kind == apperr.Invalid || ae.Kind == apperr.NotFound) {
			for _, f := range ae.Fields {
				p.Errors[webField(f.Field)] = f.Message
			}
			if len(ae.Fields) == 0 {
				p.Problem = ae.Message
			}
			return s.renderLog(c, fiber.StatusUnprocessableEntity, p)
		}
		return err
	}
	if formID != "" && s.Idempotency != nil {
		s.Idempotency.Finish(context.WithoutCancel(ctx), u.ID, "web:"+formID, 303, "text/plain", []byte(target))
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

func (s *pages) webLogEncounter(ctx context.Context, u *accounts.User, f map[string]string) (string, error) {
	var ch input.Checker
	if f["event_id"] == "" && f["event_title"] == "" {
		ch.Add("event", "Pick today's event or name a new one.")
	}
	if f["moment"] == "" {
		ch.Add("moment", "Say when you met.")
	}
	if f["name"] == "" {
		ch.Add("name", "A name is needed.")
	}
	if err := ch.Err(); err != nil {
		return "", err
	}
	in := contacts.Input{Name: f["name"], Company: f["company"], Title: f["title"], LinkedInURL: f["linkedin_url"]}
	if f["email"] != "" {
		in.Emails = []string{f["email"]}
	}
	if f["phone"] != "" {
		in.Phones = []string{f["phone"]}
	}
	var topics []string
	for _, t := range strings.Split(f["topics"], ",") {
		if t = strings.TrimSpace(t); t != "" {
			topics = append(topics, t)
		}
	}
	enc := contacts.EncounterInput{Contact: &in, Moment: f["moment"], Notes: f["notes"], Topics: topics}
	var res *crm.EncounterResult
	var err error
	if f["event_id"] != "" {
		res, err = s.CRM.LogEncounter(ctx, u, f["event_id"], enc)
	} else {
		// The new event is stored only with the contact (or not at all).
		res, err = s.CRM.LogEncounterAtNewEvent(ctx, u, events.Input{Title: f["event_title"], StartsAt: s.Now().UTC().Format(time.RFC3339)}, enc)
		err = renameFields(err, map[string]string{"event.title": "event"})
	}
	if err != nil {
		return "", err
	}
	what := "Saved " + res.Contact.Name
	if !res.ContactCreated {
		what = "Saved — you knew " + res.Contact.Name + " already"
	}
	return "/app?notice=" + url.QueryEscape(what+"."), nil
}

// webField maps API field names to the form's.
func webField(f string) string {
	switch {
	case f == "contact.name":
		return "name"
	case strings.HasPrefix(f, "contact.emails"):
		return "email"
	case strings.HasPrefix(f, "contact.phones"):
		return "phone"
	case strings.HasPrefix(f, "topics"):
		return "topics"
	case f == "event_id" || f == "title" || f == "event" || strings.HasPrefix(f, "event."):
		return "event"
	}
	return strings.TrimPrefix(f, "contact.")
}

func renameFields(err error, names map[string]string) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return err
	}
	e := *ae
	e.Fields = append([]apperr.FieldError(nil), ae.Fields...)
	for i := range e.Fields {
		if n, ok := names[e.Fields[i].Field]; ok {
			e.Fields[i].Field = n
		}
	}
	return &e
}

// handleWebFollowups lists the pending follow-ups, soonest first.
func (s *pages) handleWebFollowups(c *fiber.Ctx) error {
	p := s.page(c, "Follow-ups", "followups")
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	page, err := s.CRM.Followups.List(ctx, u.ID, followup.Filter{Status: followup.Pending, Limit: 100})
	if err != nil {
		return err
	}
	p.Followups, p.FollowupGroups, err = s.groupFollowups(ctx, u, page.Items)
	if err != nil {
		return err
	}
	return s.render(c, 200, "followups", p)
}

// groupFollowups names each follow-up's contact and groups them in the
// user's days: overdue (due before now), today, the next seven days,
// later — so next month's check-ins do not sit among tomorrow's
// thank-yous. Empty groups are left out.
func (s *pages) groupFollowups(ctx context.Context, u *accounts.User, items []followup.FollowUp) ([]webFollowup, []webFollowupGroup, error) {
	ids := make([]string, len(items))
	for i, f := range items {
		ids[i] = f.ContactID
	}
	cs, err := s.CRM.Contacts.GetMany(ctx, u.ID, ids)
	if err != nil {
		return nil, nil, err
	}
	eventIDs := make([]string, 0, len(items))
	for _, f := range items {
		if f.EventID != "" {
			eventIDs = append(eventIDs, f.EventID)
		}
	}
	evs, err := s.CRM.Events.GetMany(ctx, u.ID, eventIDs)
	if err != nil {
		return nil, nil, err
	}
	loc, now := u.Location(), s.Now()
	y, m, d := now.In(loc).Date()
	tomorrow := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	var all []webFollowup
	groups := []webFollowupGroup{{Label: "Overdue"}, {Label: "Today"}, {Label: "This week"}, {Label: "Later"}}
	for i := range items {
		f := &items[i]
		name, contactID := "(deleted contact)", ""
		if c := cs[f.ContactID]; c != nil {
			name, contactID = c.Name, c.ID
		}
		wf := webFollowup{ID: f.ID, Title: followup.Title(f, name), Note: f.Note, ContactID: contactID,
			Due: "due " + f.DueAt.In(loc).Format("Mon 2 Jan, 15:04"), Overdue: f.DueAt.Before(now), DueInput: localInput(&f.DueAt, loc)}
		if c := cs[f.ContactID]; c != nil && len(c.Emails) > 0 {
			wf.Write = writeIt(f, c, evs[f.EventID])
		}
		all = append(all, wf)
		switch {
		case wf.Overdue:
			groups[0].Items = append(groups[0].Items, wf)
		case f.DueAt.Before(tomorrow):
			groups[1].Items = append(groups[1].Items, wf)
		case f.DueAt.Before(tomorrow.AddDate(0, 0, 6)):
			groups[2].Items = append(groups[2].Items, wf)
		default:
			groups[3].Items = append(groups[3].Items, wf)
		}
	}
	var out []webFollowupGroup
	for _, g := range groups {
		if len(g.Items) > 0 {
			out = append(out, g)
		}
	}
	return all, out, nil
}

func (s *pages) handleWebFollowupDone(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	if _, err := s.CRM.Followups.MarkDone(ctx, user(c).ID, c.Params("id")); err != nil && !apperr.Is(err, apperr.Conflict) {
		return err
	}
	return c.Redirect("/app/followups?notice="+url.QueryEscape("Marked done."), fiber.StatusSeeOther)
}

func (s *pages) handleWebFollowupSnooze(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	week := 7
	if _, err := s.CRM.Followups.Snooze(ctx, user(c), c.Params("id"), nil, &week); err != nil && !apperr.Is(err, apperr.Conflict) {
		return err
	}
	return c.Redirect("/app/followups?notice="+url.QueryEscape("Snoozed for a week."), fiber.StatusSeeOther)
}

func (s *pages) handleWebCalendar(c *fiber.Ctx) error {
	return s.render(c, 200, "calendar", s.page(c, "Calendar", "calendar"))
}

// handleWebCalendarLinks makes new feed links and shows them this once.
func (s *pages) handleWebCalendarLinks(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	// A new set for this device: the links other devices use keep working.
	name := "Phone page, " + s.Now().In(userLocation(user(c))).Format("2 Jan 2006 15:04")
	_, tok, err := s.Accounts.CreateFeedSet(ctx, user(c).ID, name)
	if err != nil {
		return err
	}
	webcal := func(feed string) string { return accounts.WebcalURL(s.BaseURL, tok, feed) }
	p := s.page(c, "Calendar", "calendar")
	// The webcal:// URLs are ours (CRM_BASE_URL and a random token).
	p.Feeds = []webFeed{
		{"all", "Everything (webcal)", webcal("all"), template.URL(webcal("all"))},
		{"events", "Events only (webcal)", webcal("events"), template.URL(webcal("events"))},
		{"followups", "Follow-ups only (webcal)", webcal("followups"), template.URL(webcal("followups"))},
		{"https", "Everything (https, for Google Calendar's 'From URL')", accounts.FeedURL(s.BaseURL, tok, "all"), ""},
	}
	return s.render(c, 200, "calendar", p)
}

// userLocation is the user's time zone (UTC if it cannot be loaded).
func userLocation(u *accounts.User) *time.Location {
	if loc, err := time.LoadLocation(u.Timezone); err == nil {
		return loc
	}
	return time.UTC
}

// handleWebSettings shows the settings that matter on the phone: name,
// time zone, nudge hour and where nudges go.
func (s *pages) handleWebSettings(c *fiber.Ctx) error {
	p := s.page(c, "Settings", "settings")
	s.settingsForm(p.Form, user(c))
	if err := s.deviceLinks(c, &p); err != nil {
		return err
	}
	return s.render(c, 200, "settings", p)
}

// deviceLinks lists the user's sets of calendar links (one per device),
// each revocable on its own.
func (s *pages) deviceLinks(c *fiber.Ctx, p *webPage) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	sets, err := s.Accounts.FeedSets(ctx, u.ID)
	if err != nil {
		return err
	}
	loc := u.Location()
	for _, f := range sets {
		p.Devices = append(p.Devices, newWebDevice(f.ID, f.Name, f.CreatedAt, f.LastUsedAt, loc))
	}
	return nil
}

// handleWebDeviceRevoke revokes one device's calendar links.
func (s *pages) handleWebDeviceRevoke(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	if err := s.Accounts.DeleteFeedSet(ctx, user(c).ID, c.Params("id")); err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	return c.Redirect("/app/settings?notice="+url.QueryEscape("Those calendar links no longer work.")+"#devices", fiber.StatusSeeOther)
}

// settingsForm fills the settings form with u's settings.
func (s *pages) settingsForm(f map[string]string, u *accounts.User) {
	for k, v := range map[string]string{"name": u.Name, "timezone": u.Timezone, "nudge_hour": strconv.Itoa(u.NudgeHour),
		"notify_email": u.Notify.Email, "webhook_url": u.Notify.WebhookURL, "card_headline": u.Card.Headline,
		"card_company": u.Card.Company, "card_title": u.Card.Title, "card_phone": u.Card.Phone, "card_email": u.Card.Email,
		"card_links": strings.Join(u.Card.Links, "\n")} {
		f[k] = v
	}
	if u.Card.Enabled {
		f["card_enabled"] = "on"
	}
}

// handleWebSettingsSave applies the form as PATCH /v1/me would.
func (s *pages) handleWebSettingsSave(c *fiber.Ctx) error {
	p := s.page(c, "Settings", "settings")
	for _, k := range []string{"name", "timezone", "nudge_hour", "notify_email", "webhook_url", "webhook_secret",
		"card_enabled", "card_headline", "card_company", "card_title", "card_phone", "card_email", "card_links"} {
		p.Form[k] = utils.CopyString(strings.TrimSpace(c.FormValue(k)))
	}
	links := []string{}
	for _, l := range strings.Split(p.Form["card_links"], "\n") {
		if l = strings.TrimSpace(l); l != "" {
			links = append(links, l)
		}
	}
	card := map[string]any{"enabled": p.Form["card_enabled"] == "on", "headline": p.Form["card_headline"], "company": p.Form["card_company"],
		"title": p.Form["card_title"], "phone": p.Form["card_phone"], "email": p.Form["card_email"], "links": links}
	notify := map[string]any{"email": p.Form["notify_email"], "webhook_url": nil, "webhook_secret": nil}
	if p.Form["webhook_url"] != "" {
		notify["webhook_url"] = p.Form["webhook_url"]
		if p.Form["webhook_secret"] != "" {
			notify["webhook_secret"] = p.Form["webhook_secret"]
		} else {
			delete(notify, "webhook_secret") // keep the current one
		}
	}
	patch := map[string]any{"name": p.Form["name"], "timezone": p.Form["timezone"], "notify": notify, "card": card}
	if h, err := strconv.Atoi(p.Form["nudge_hour"]); err == nil {
		patch["nudge_hour"] = h
	} else {
		p.Errors["nudge_hour"] = "Give an hour from 0 to 23."
	}
	delete(p.Form, "webhook_secret")
	if len(p.Errors) == 0 {
		body, _ := json.Marshal(patch)
		ctx, cancel := s.ctx(c)
		defer cancel()
		if _, err := s.CRM.UpdateSettings(ctx, s.Accounts, user(c).ID, body); err != nil {
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Kind != apperr.Invalid {
				return err
			}
			for _, f := range ae.Fields {
				p.Errors[settingsField(f.Field)] = f.Message
			}
		}
	}
	if len(p.Errors) > 0 {
		if err := s.deviceLinks(c, &p); err != nil {
			return err
		}
		return s.render(c, fiber.StatusUnprocessableEntity, "settings", p)
	}
	return c.Redirect("/app/settings?notice="+url.QueryEscape("Saved."), fiber.StatusSeeOther)
}

// settingsField maps PATCH /v1/me's field names to the settings form's.
func settingsField(f string) string {
	switch {
	case f == "notify.email":
		return "notify_email"
	case strings.HasPrefix(f, "card.links"):
		return "card_links"
	case strings.HasPrefix(f, "card."):
		return "card_" + strings.TrimPrefix(f, "card.")
	}
	return strings.TrimPrefix(f, "notify.")
}

// handleWebContacts lists the user's contacts, or with q searches
// everything they wrote ("have I met them?", "who wanted the flame-graph
// notes?"): each hit leads to its contact where it has one.
func (s *pages) handleWebContacts(c *fiber.Ctx) error {
	p := s.page(c, "Contacts", "contacts")
	q := strings.TrimSpace(utils.CopyString(c.Query("q")))
	p.Form["q"] = q
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	if q != "" {
		hits, err := s.CRM.Search(ctx, u.ID, crm.SearchInput{Q: q, Limit: 30})
		if apperr.Is(err, apperr.Invalid) {
			return s.render(c, 200, "contacts", p) // nothing searchable: nobody matches
		}
		if err != nil {
			return err
		}
		var ids []string
		for _, h := range hits {
			if h.Type == search.Contact {
				ids = append(ids, h.ID)
			}
		}
		people, err := s.CRM.Contacts.Store.ContactsByID(ctx, u.ID, ids)
		if err != nil {
			return err
		}
		for _, h := range hits {
			if ct, ok := people[h.ID]; ok && h.Type == search.Contact {
				p.People = append(p.People, webPersonOf(ct, u.Location(), h.Snippet))
				continue
			}
			p.People = append(p.People, webPerson{ID: h.ContactID, Name: h.Title, Company: hitKinds[h.Type], Snippet: h.Snippet})
		}
		return s.render(c, 200, "contacts", p)
	}
	page, err := s.CRM.Contacts.List(ctx, u.ID, contacts.Filter{Limit: 30})
	if err != nil {
		return err
	}
	for i := range page.Items {
		p.People = append(p.People, webPersonOf(&page.Items[i], u.Location(), ""))
	}
	return s.render(c, 200, "contacts", p)
}

// webPersonOf is a contact in a list, with the snippet search found (shown
// when it says more than the name).
func webPersonOf(ct *contacts.Contact, loc *time.Location, snippet string) webPerson {
	wp := webPerson{ID: ct.ID, Name: ct.Name, Company: ct.Company, Since: ct.CreatedAt.In(loc).Format("2 Jan 2006")}
	if len(ct.Emails) > 0 {
		wp.Email = ct.Emails[0]
	}
	if snippet != ct.Name {
		wp.Snippet = snippet
	}
	if ct.LastContactedAt != nil {
		wp.LastMet = ct.LastContactedAt.In(loc).Format("2 Jan 2006")
	}
	return wp
}

// hitKinds say in words what a search hit other than a contact is.
var hitKinds = map[string]string{search.Encounter: "where you met", search.Interaction: "logged contact", search.Intro: "intro you made",
	search.Event: "event", search.Opportunity: "opportunity", search.Company: "company"}

// duplicateReasons say in words why two contacts may be one person.
var duplicateReasons = map[string]string{contacts.SameNameCompany: "Same name and company", contacts.SamePhone: "Same phone number",
	contacts.SimilarName: "Similar names"}

// handleWebDuplicates lists the pairs of contacts that may be one person,
// each with a button to keep either and merge the other into it.
func (s *pages) handleWebDuplicates(c *fiber.Ctx) error { return s.showDuplicates(c, 200, "") }

func (s *pages) showDuplicates(c *fiber.Ctx, status int, problem string) error {
	p := s.page(c, "Possible duplicates", "contacts")
	p.Problem = problem
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	pairs, err := s.CRM.Contacts.Duplicates(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, d := range pairs {
		reason := duplicateReasons[d.Reason]
		if d.Reason == contacts.SameNameCompany && d.Contacts[0].Company == "" {
			reason = "Same name"
		}
		p.Pairs = append(p.Pairs, webPair{Reason: reason,
			A: webPersonOf(&d.Contacts[0], u.Location(), ""), B: webPersonOf(&d.Contacts[1], u.Location(), "")})
	}
	return s.render(c, status, "duplicates", p)
}

// handleWebMerge merges the contact other_id into the one in the path
// and shows the merged contact.
func (s *pages) handleWebMerge(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	ct, err := s.CRM.MergeContacts(ctx, user(c), c.Params("id"), c.FormValue("other_id"))
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return s.showDuplicates(c, fiber.StatusNotFound, "Not merged: one of the two contacts is gone.")
		}
		var ae *apperr.Error
		if errors.As(err, &ae) && ae.Kind == apperr.Invalid {
			var why []string
			for _, f := range ae.Fields {
				why = append(why, "the "+f.Field+" together "+f.Message)
			}
			return s.showDuplicates(c, fiber.StatusUnprocessableEntity, "Not merged: "+strings.Join(why, "; ")+".")
		}
		return err
	}
	return c.Redirect("/app/contacts/"+url.PathEscape(ct.ID)+"?notice="+url.QueryEscape("Merged into "+ct.Name+"."), fiber.StatusSeeOther)
}

// phoneChars are what a tel: link may hold.
var phoneChars = regexp.MustCompile(`^\+?[0-9 ()./-]{3,40}$`)

// handleWebContact shows one contact: how you met, notes, follow-ups, and
// one tap to email, call or open LinkedIn. Another user's id is a 404.
func (s *pages) handleWebContact(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	b, err := s.CRM.Brief(ctx, u.ID, c.Params("id"))
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			p := s.page(c, "Contacts", "contacts")
			p.Problem = "No such contact."
			return s.render(c, fiber.StatusNotFound, "contacts", p)
		}
		return err
	}
	ct := b.Contact
	p := s.page(c, ct.Name, "contacts")
	wc := &webContact{ID: ct.ID, Name: ct.Name, Company: ct.Company, Title: ct.Title, Notes: ct.Notes, Opening: "An opening"}
	if ct.Company != "" {
		wc.Opening = "An opening at " + ct.Company
	}
	for _, o := range b.Opportunities[:min(len(b.Opportunities), webOpportunities)] {
		wc.Opportunities = append(wc.Opportunities, webOpportunity{Title: o.Title, Stage: o.Stage})
	}
	for _, e := range ct.Emails {
		wc.Emails = append(wc.Emails, webLink{URL: template.URL("mailto:" + url.PathEscape(e)), Text: e})
	}
	for _, ph := range ct.Phones {
		if phoneChars.MatchString(ph) { // only digits and separators reach a tel: link
			wc.Phones = append(wc.Phones, webLink{URL: telURL(ph), Text: ph})
		}
	}
	if li := contacts.CanonicalLinkedIn(ct.LinkedInURL); li != "" {
		wc.LinkedIn = template.URL(li)
	}
	loc := u.Location()
	moments := map[string]string{}
	for _, m := range webMoments {
		moments[m.Value] = m.Label
	}
	for _, e := range b.Met { // newest first
		wc.Met = append(wc.Met, webMet{When: e.MetAt.In(loc).Format("2 Jan 2006"), Moment: strings.ToLower(moments[e.Moment]),
			Topics: strings.Join(e.Topics, ", "), Notes: e.Notes, Event: e.EventTitle})
	}
	p.Person = wc
	var met []timelineItem
	for _, e := range b.Met {
		met = append(met, timelineItem{at: e.MetAt, When: e.MetAt.In(loc).Format("2 Jan 2006"), What: "Met at " + e.EventTitle,
			Detail: strings.ToLower(moments[e.Moment]) + topicsSuffix(e.Topics), Text: e.Notes})
	}
	desk, err := s.contactDeskOf(c, ct, met)
	if err != nil {
		return err
	}
	p.Data = desk
	now := s.Now()
	for i := range b.Followups {
		f := &b.Followups[i]
		p.Followups = append(p.Followups, webFollowup{ID: f.ID, Title: followup.Title(f, ct.Name), Note: f.Note,
			Due: "due " + f.DueAt.In(loc).Format("Mon 2 Jan, 15:04"), Overdue: f.DueAt.Before(now)})
	}
	return s.render(c, 200, "contact", p)
}

// topicsSuffix is " · topic, topic" (or "").
func topicsSuffix(topics []string) string {
	if len(topics) == 0 {
		return ""
	}
	return " · " + strings.Join(topics, ", ")
}

// webOpportunities is how many opportunities a contact's page lists.
const webOpportunities = 20

// handleWebOpening files "they mentioned an opening" from a contact's
// page: an opportunity (a lead) at the contact's company, sourced by the
// contact at the event where the user last met them.
func (s *pages) handleWebOpening(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	ct, err := s.CRM.Contacts.Get(ctx, u.ID, c.Params("id"))
	if err != nil {
		return err
	}
	in := opportunities.Input{Title: strings.TrimSpace(c.FormValue("title")), CompanyID: ct.CompanyID, SourceContactID: ct.ID,
		Kind: c.FormValue("kind"), NextStep: "Ask " + ct.Name + " about it"}
	if in.Title == "" {
		in.Title = "An opening"
	}
	encs, err := s.CRM.Contacts.Encounters(ctx, u.ID, contacts.EncounterFilter{ContactID: ct.ID, Limit: 200})
	if err != nil {
		return err
	}
	if n := len(encs.Items); n > 0 {
		in.SourceEventID = encs.Items[n-1].EventID
	}
	next := followup.DueAt(s.Now(), 2, u.NudgeHour, u.Location())
	in.NextStepAt = next.Format(time.RFC3339)
	o, err := s.CRM.CreateOpportunity(ctx, u, in)
	if err != nil {
		return err
	}
	return c.Redirect("/app/contacts/"+url.PathEscape(ct.ID)+"?notice="+url.QueryEscape("Noted: "+o.Title+". A reminder to follow up is set for "+
		next.In(u.Location()).Format("Mon 2 Jan")+"."), fiber.StatusSeeOther)
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
		return "", fiber.StatusTooManyRequests, fmt.Sprintf("%s; try again in %d seconds.", busy, ratelimit.RetryAfter(wait))
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

// handleWebLinkRequest emails a one-time sign-in link. The answer is the
// same whether or not the email has an account; every request counts
// towards the failed sign-in limit, which bounds the mail one address can
// make the server send.
func (s *pages) handleWebLinkRequest(c *fiber.Ctx) error {
	email := strings.ToLower(strings.TrimSpace(c.FormValue("email")))
	page := webPage{Title: "Sign in", Form: map[string]string{"email": utils.CopyString(email)}, Errors: map[string]string{}}
	if s.Mailer == nil {
		return apperr.E(apperr.NotFound, "sign-in links are off on this server (no CRM_SMTP_URL)")
	}
	ip, status, problem := s.gate(c, loginCookie, "The sign-in form was stale or came from another site; please try again.", "Too many attempts")
	if status != 0 {
		page.Problem = problem
		return s.renderLogin(c, status, page)
	}
	s.AuthFails.Fail(ip)
	// The answer is the same, and as quick, whether or not the email has an
	// account: looking it up, making the link and sending it happen after
	// (a failure is logged; showing it would tell that the account exists).
	select {
	case linkSends <- struct{}{}:
		email := utils.CopyString(email) // Fiber reuses the request's memory
		go func() {
			defer func() { <-linkSends }()
			s.sendLoginLink(email)
		}()
	default:
		s.Logger.Warn("web: sign-in link not sent: too many being sent")
	}
	page.Notice = "If " + email + " has an account, a sign-in link is on its way. It works once, for 15 minutes."
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
	msg := followup.Email{To: u.Email, Subject: "Sign in to Rapport", MessageID: s.Mailer.MessageID("signin-" + record.NewID()), Date: s.Now(),
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
