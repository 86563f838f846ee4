// Package web serves the pages under /app: on the phone, sign in, log a
// contact at today's event in two thumbs, follow-ups, calendar links,
// settings, the card and the scan; at the desk (PRODUCT.md §10), today,
// contacts, events, companies, intros, the pipeline, insights and import.
// Server-rendered HTML (html/template, embedded files, one file per page
// group: auth.go, log.go, contacts.go, people.go, events_desk.go, …),
// mounted on the API's Fiber app beside the JSON API. What the pages share
// is here (templates, the page type, rendering) and in desk.go (forms).
package web

import (
	"context"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/dispatch"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/kinds"
	"github.com/rapport-crm/rapport/pkg/ratelimit"
)

// The phone pages at /app: server-rendered, no JavaScript needed (the
// calendar page's copy buttons are a small extra), calling the same
// services as the API.

//go:embed webui
var webFiles embed.FS

// webTemplates are the pages by name: each file of webui/ with the layout
// and the form helpers, so a new page is its template file and nothing
// to list (the public card, public.html, has a layout of its own).
var webTemplates = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	files, _ := fs.Glob(webFiles, "webui/*.html") // a constant pattern
	for _, file := range files {
		page := strings.TrimSuffix(path.Base(file), ".html")
		if page == "layout" || page == "forms" || page == "public" {
			continue
		}
		out[page] = template.Must(template.New(page).Funcs(formFuncs).ParseFS(webFiles, "webui/layout.html", "webui/forms.html", file))
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
	Title, Page string
	User        *accounts.User
	// Kinds are the kinds the server keeps (pkg/kinds): each has its
	// desk page at /app/<name>, linked from the navigation.
	Kinds           []kinds.Any
	CSRF            string
	Notice, Problem string
	Form            map[string]string
	Errors          map[string]string
	FormID          string
	Events          []webEvent
	// Guests are the log form's event's attendees not met yet, and
	// GuestsMore whether the list is longer (the form offers to find a
	// name on it).
	Guests         []webEvent
	GuestsMore     bool
	Moments        []webMoment
	Followups      []webFollowup
	FollowupGroups []webFollowupGroup
	FollowupsNext  string // the cursor of the later follow-ups, if any
	Feeds          []webFeed
	People         []webPerson
	Pairs          []webPair
	Person         *webContact
	Card           *webCard
	Devices        []webDevice
	DevicesPage    *webDevices
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
	// CompanyID links the company to its page.
	CompanyID string
	// Opening is the title the "they mentioned an opening" button files,
	// OpeningKind the kind picked (as typed when it comes back refused).
	Opening, OpeningKind string
	Opportunities        []webOpportunity
	// Emails and Phones are links (mailto:, tel:) with what they call;
	// LinkedIn a link (https:).
	Emails, Phones []webLink
	LinkedIn       template.URL
	Met            []webMet
	// FromCard is what the contact's card in an address book holds
	// besides (a birthday, an address), in words.
	FromCard []codec.Detail
	// Tags link to the contacts table filtered by each; Groups (ID the
	// group card's resource name) are the phone's groups they are in.
	Tags   []string
	Groups []webEvent
	// KnownSince, Added (the contact made: shown when another day),
	// FirstMet (the first encounter, if any), LastContact (or "never") and
	// CadenceDays (0: off) say how long you have known them and how often
	// you mean to be in touch.
	KnownSince, Added, FirstMet, LastContact string
	CadenceDays                              int
}

// webLink is a link and the text it shows (the address or number, so
// that two Email buttons say which is which).
type webLink struct {
	URL  template.URL
	Text string
	// Label is what the address book calls it ("mobile", "work"), if anything.
	Label string
}

// webOpportunity is one opportunity on the contact page.
type webOpportunity struct{ ID, Title, Stage string }

// webMet is one encounter on the contact page.
type webMet struct{ When, Event, Moment, Topics, Notes string }

type webEvent struct{ ID, Title, When string }
type webMoment struct{ Value, Label string }
type webFollowup struct {
	// Page is where a follow-up about no contact is seen to (its note is
	// its title): the event's Prepare page for the brief before it, the
	// pipeline for an opportunity's next step.
	Page                 string
	ID, Title, Due, Note string
	Overdue              bool
	// ContactID links the title to the contact's page ("" when gone).
	ContactID string
	// DueInput is the due time as the re-date form's datetime-local shows
	// it.
	DueInput string
	WriteLinks
	// Open opens the re-date form, sent back refused with TypedDue and
	// TypedNote, what was typed in it; UpdatedAt is the stored copy the
	// form was drawn from.
	Open                           bool
	TypedDue, TypedNote, UpdatedAt string
}

// WriteLinks are how a follow-up's buttons offer to write to its contact
// (writeTo, one of three): Write is the "Write it" mailto: link; without
// an email, LinkedIn is the contact's LinkedIn profile; without either,
// Text an sms: link to their phone.
type WriteLinks struct {
	Write, Text template.URL
	LinkedIn    string
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
	// Downloads are the API's turns at downloading a whole account (the
	// same ones).
	Downloads *ratelimit.Turns
	// Requests are the API's turns at running a request (the same ones).
	Requests *ratelimit.Turns
	// BaseURL is the public URL of the server.
	BaseURL string
	Now     func() time.Time
	// OpenSignup allows sign-up after the first user (CRM_OPEN_SIGNUP).
	OpenSignup bool
	// Mailer sends one-time sign-in links; nil turns them off.
	Mailer dispatch.Mailer
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
	// Importer follows calendars and syncs them (the API's).
	Importer *events.Importer
}

// pages handles the /app routes and the public cards.
type pages struct {
	Deps
	cards cardLimits
	// linkMails counts the sign-in links asked for each email (auth.go).
	linkMails *ratelimit.Failures
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
	if d.Downloads == nil {
		d.Downloads = &ratelimit.Turns{}
	}
	if d.Requests == nil {
		d.Requests = &ratelimit.Turns{Per: ratelimit.ReadsPerUser()}
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	s := &pages{Deps: d, cards: newCardLimits(d.CardLimits, d.Now), linkMails: ratelimit.NewFailures(LinkMailsPerEmail, loginLinkTTL, d.Now)}
	s.register(app)
	s.registerCard(app)
}

func (s *pages) register(app *fiber.App) {
	app.Use("/app", s.pageErrors)
	app.Use("/c", s.pageErrors)
	static, _ := fs.Sub(webFiles, "webui")
	app.Use("/app/static", filesystem.New(filesystem.Config{Root: http.FS(static), MaxAge: 3600}))
	app.Get("/app/sw.js", s.handleServiceWorker)
	// The server's own address leads to the pages (the nudge emails'
	// footers link there).
	app.Get("/", func(c *fiber.Ctx) error { return c.Redirect("/app", fiber.StatusFound) })
	// Browsers ask for /favicon.ico on every page; the pages link the SVG.
	app.Get("/favicon.ico", func(c *fiber.Ctx) error { return c.Redirect("/app/static/favicon.svg", fiber.StatusMovedPermanently) })
	// Added to a home screen: the manifest, and the icon iOS asks for at
	// the site's root when a page it saved links none.
	app.Get("/app/manifest.webmanifest", s.handleManifest)
	for _, icon := range []string{"/apple-touch-icon.png", "/apple-touch-icon-precomposed.png"} {
		app.Get(icon, func(c *fiber.Ctx) error { return c.Redirect("/app/static/icon-180.png", fiber.StatusMovedPermanently) })
	}
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
	g.Get("/contacts/new", s.handleContactNew) // before the page of a contact by id
	g.Post("/contacts/new", s.handleContactCreate)
	g.Get("/contacts/:id", s.handleWebContact)
	g.Post("/contacts/:id/opportunities", s.handleWebOpening)
	g.Get("/duplicates", s.handleWebDuplicates)
	g.Post("/contacts/:id/merge", s.handleWebMerge)
	g.Get("/settings", s.handleWebSettings)
	g.Post("/settings", s.handleWebSettingsSave)
	g.Post("/settings/password", s.handleWebPassword)
	g.Post("/settings/delete", s.handleWebDeleteAccount)
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

// sessionCSRF is the CSRF secret of the request's session (webSession
// sets it; empty without a session).
func sessionCSRF(c *fiber.Ctx) string {
	csrf, _ := c.Locals("rapport.csrf").(string)
	return csrf
}

func (s *pages) page(c *fiber.Ctx, title, name string) webPage {
	notice, problem := flashes(c)
	return webPage{Title: title, Page: name, User: user(c), Kinds: s.CRM.Kinds, CSRF: sessionCSRF(c), Form: map[string]string{}, Errors: map[string]string{},
		Notice: notice, Problem: problem}
}
