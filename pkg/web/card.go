package web

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/ratelimit"
)

// The public card at /c/{card_id} (PRODUCT.md §7): a door open to the
// internet, so every request is counted before the store is read, bodies
// are small, and a post needs a token only a render of this card's page
// can have, once.

// Limits of the public card.
const (
	// CardPostsPerIP and CardPostsPerCard bound the "Leave your details"
	// posts per client address a minute and per card an hour.
	CardPostsPerIP   = 10
	CardPostsPerCard = 100
	// CardViewsPerIP bounds page and vCard views per client address a
	// minute (nobody reads one card sixty times a minute; a scraper does).
	CardViewsPerIP = 60
	// MaxCardBody bounds a post's body (413 above it).
	MaxCardBody = 64 << 10
	// maxCardNote bounds the note left on a card.
	maxCardNote = 2000
)

var publicTemplate = template.Must(template.ParseFS(webFiles, "webui/public.html"))

// CardLimits are the public card's limits: views and posts per client
// address a minute, posts per card an hour.
type CardLimits struct{ ViewsPerIP, PostsPerIP, PostsPerCard int }

// cardLimits count the public card's requests.
type cardLimits struct {
	views, postsByIP, postsByCard *ratelimit.Failures
}

func newCardLimits(l CardLimits, now func() time.Time) cardLimits {
	or := func(n, def int) int {
		if n <= 0 {
			return def
		}
		return n
	}
	return cardLimits{
		views:       ratelimit.NewFailures(or(l.ViewsPerIP, CardViewsPerIP), time.Minute, now),
		postsByIP:   ratelimit.NewFailures(or(l.PostsPerIP, CardPostsPerIP), time.Minute, now),
		postsByCard: ratelimit.NewFailures(or(l.PostsPerCard, CardPostsPerCard), time.Hour, now),
	}
}

// publicPage is what the public card's template gets.
type publicPage struct {
	Name, Headline, Title, Company, Email string
	Phone                                 *telLink
	Links                                 []string
	CardID, Ref, Token                    string
	Asks                                  map[string]bool
	Form, Errors                          map[string]string
	Notice, Problem                       string
}

type telLink struct {
	Text string
	URL  template.URL
}

// refChars are what an event reference may hold (base64url).
var refChars = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

func (s *pages) registerCard(app *fiber.App) {
	app.Get("/c/:id", s.handleCardGet)
	app.Post("/c/:id", s.handleCardPost)
}

// over reports whether l blocks key, and then answers 429 with
// Retry-After and says so in text (of a post: what to do, see tooMany);
// otherwise it counts the request.
func over(c *fiber.Ctx, l *ratelimit.Failures, key string) bool {
	secs, blocked := tooMany(c, l, key)
	if !blocked {
		return false
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	msg := "Too many requests; try again in " + strconv.Itoa(secs) + " seconds.\n"
	if c.Method() == fiber.MethodPost {
		// What was typed is in the page the browser goes back to.
		msg = "Your details were not sent: too many came from your network just now. Go back, and send them again in " + strconv.Itoa(secs) + " seconds.\n"
	}
	c.Status(fiber.StatusTooManyRequests).SendString(msg)
	return true
}

// tooMany reports whether l blocks key, having set Retry-After to the
// seconds it says; otherwise it counts the request.
func tooMany(c *fiber.Ctx, l *ratelimit.Failures, key string) (secs int, blocked bool) {
	wait := l.Blocked(key)
	if wait <= 0 {
		l.Fail(key)
		return 0, false
	}
	secs = ratelimit.RetryAfter(wait)
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	return secs, true
}

// waitWords is a wait of secs seconds in words ("12 minutes").
func waitWords(secs int) string {
	if secs < 90 {
		return strconv.Itoa(secs) + " seconds"
	}
	return strconv.Itoa((secs+59)/60) + " minutes"
}

// cardNotFound is the one answer for an unknown, rotated or disabled card.
func cardNotFound(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	c.Set("Cache-Control", "no-store")
	return c.Status(fiber.StatusNotFound).SendString("No such card.\n")
}

// cardOwner returns the card's owner; nil, having answered the one 404,
// when the card does not answer.
func (s *pages) cardOwner(ctx context.Context, c *fiber.Ctx, id string) (*accounts.User, error) {
	u, err := s.Accounts.CardOwner(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return nil, cardNotFound(c)
	}
	return u, err
}

// handleCardGet shows the card and its form, or its vCard (/c/{id}.vcf).
func (s *pages) handleCardGet(c *fiber.Ctx) error {
	if over(c, s.cards.views, c.IP()) {
		return nil
	}
	id, vcf := strings.CutSuffix(c.Params("id"), ".vcf")
	ctx, cancel := s.ctx(c)
	defer cancel()
	u, err := s.cardOwner(ctx, c, id)
	if u == nil {
		return err
	}
	if vcf {
		return s.sendCardVCard(c, u)
	}
	ref := c.Query("e")
	if !refChars.MatchString(ref) {
		ref = ""
	}
	return s.renderCard(c, 200, u, ref, publicPage{Form: map[string]string{}, Errors: map[string]string{}})
}

// renderCard renders the card with a fresh per-render token for ref.
func (s *pages) renderCard(c *fiber.Ctx, status int, u *accounts.User, ref string, p publicPage) error {
	card := &u.Card
	p.Name, p.Headline, p.Title, p.Company, p.Email, p.Links = u.Name, card.Headline, card.Title, card.Company, card.Email, card.Links
	if card.Phone != "" && phoneChars.MatchString(card.Phone) {
		p.Phone = &telLink{Text: card.Phone, URL: telURL(card.Phone)}
	}
	p.CardID, p.Ref = card.ID, ref
	if p.Notice == "" {
		p.Token = card.FormToken(ref, s.Now())
	}
	p.Asks = map[string]bool{}
	for _, f := range accounts.CardFields {
		p.Asks[f] = card.Asks(f)
	}
	var b bytes.Buffer
	if err := publicTemplate.ExecuteTemplate(&b, "public", p); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set("Cache-Control", "no-store")
	c.Set("X-Frame-Options", "DENY")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	return c.Status(status).Send(b.Bytes())
}

// sendCardVCard answers the card as a vCard to save.
func (s *pages) sendCardVCard(c *fiber.Ctx, u *accounts.User) error {
	card := &u.Card
	ct := &contacts.Contact{ID: "card:" + card.ID, Name: u.Name, Company: card.Company, Title: card.Title, UpdatedAt: u.UpdatedAt}
	if card.Email != "" {
		ct.Emails = []string{card.Email}
	}
	if card.Phone != "" {
		ct.Phones = []string{card.Phone}
	}
	notes := []string{card.Headline}
	for _, l := range card.Links {
		if li := contacts.CanonicalLinkedIn(l); li != "" && ct.LinkedInURL == "" {
			ct.LinkedInURL = li
		} else {
			notes = append(notes, l)
		}
	}
	ct.Notes = strings.TrimSpace(strings.Join(notes, "\n"))
	var b bytes.Buffer
	if err := codec.WriteVCard30(&b, ct); err != nil {
		return err
	}
	name := strings.Map(func(r rune) rune {
		if r < 128 && (r == ' ' || r == '-' || r == '.' || r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return r
		}
		return -1
	}, u.Name)
	if strings.TrimSpace(name) == "" {
		name = "contact"
	}
	c.Set(fiber.HeaderContentType, "text/vcard; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.vcf"`)
	c.Set("Cache-Control", "no-store")
	c.Set("X-Content-Type-Options", "nosniff")
	return c.Send(b.Bytes())
}

// handleCardPost takes the details someone leaves on the card. The answer
// is the same whether or not the owner knew them already.
func (s *pages) handleCardPost(c *fiber.Ctx) error {
	if n := c.Request().Header.ContentLength(); n > MaxCardBody || len(c.Body()) > MaxCardBody || c.Context().RequestBodyStream() != nil && n < 0 {
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.Status(fiber.StatusRequestEntityTooLarge).SendString("The form is larger than 64 KiB.\n")
	}
	if over(c, s.cards.postsByIP, c.IP()) {
		return nil
	}
	id := c.Params("id")
	ctx, cancel := s.ctx(c)
	defer cancel()
	u, err := s.cardOwner(ctx, c, id)
	if u == nil {
		return err
	}
	p := cardForm(c, &u.Card)
	ref := utils.CopyString(c.FormValue("e"))
	if !refChars.MatchString(ref) {
		ref = ""
	}
	// A card shown to a room (a speaker's last slide) can have more
	// replies in an hour than it takes: the page comes back with what was
	// typed, and says when to send it.
	if secs, blocked := tooMany(c, s.cards.postsByCard, u.Card.ID); blocked {
		p.Errors = map[string]string{}
		p.Problem = "Not sent: " + u.Name + "'s card has had too many replies this hour. What you typed is kept; please send it again in " + waitWords(secs) + "."
		return s.renderCard(c, fiber.StatusTooManyRequests, u, ref, p)
	}
	nonce, ok := u.Card.CheckFormToken(ref, c.FormValue("t"), s.Now())
	if !ok {
		p.Problem = "This form has expired or did not come from this page. Here it is again: please send it once more."
		return s.renderCard(c, fiber.StatusForbidden, u, ref, p)
	}
	thanks := "Thank you! " + u.Name + " has your details."
	if c.FormValue("website") != "" { // the honeypot: a bot filled in the hidden field
		p.Notice = thanks
		return s.renderCard(c, 200, u, ref, p)
	}
	if len(p.Errors) > 0 {
		return s.renderCard(c, fiber.StatusUnprocessableEntity, u, ref, p)
	}
	key := "card-form:" + nonce
	if s.Idempotency != nil {
		rec, err := s.Idempotency.Begin(ctx, u.ID, key, idempotency.Fingerprint([]byte("card-form")))
		if err != nil && !apperr.Is(err, apperr.Conflict) {
			return err
		}
		if err != nil || rec != nil {
			p.Notice = "This form was sent already; " + u.Name + " has your details once."
			return s.renderCard(c, fiber.StatusConflict, u, ref, p)
		}
	}
	ev, err := s.CRM.CardEvent(ctx, u, ref)
	if err == nil {
		_, err = s.CRM.LeaveDetails(ctx, u, ev, crm.CardDetails{Name: p.Form["name"], Email: p.Form["email"], Company: p.Form["company"],
			Title: p.Form["title"], LinkedInURL: p.Form["linkedin_url"], Note: p.Form["note"]})
	}
	if err != nil {
		if s.Idempotency != nil {
			s.Idempotency.Abort(context.WithoutCancel(ctx), u.ID, key)
		}
		var ae *apperr.Error
		if errors.As(err, &ae) && ae.Kind == apperr.Invalid {
			for _, f := range ae.Fields {
				p.Errors[cardField(f.Field)] = f.Message
			}
			return s.renderCard(c, fiber.StatusUnprocessableEntity, u, ref, p)
		}
		return err
	}
	if s.Idempotency != nil {
		s.Idempotency.Finish(context.WithoutCancel(ctx), u.ID, key, 200, "text/plain", []byte("sent"))
	}
	p.Notice = thanks
	return s.renderCard(c, 200, u, ref, p)
}

// cardForm reads the fields the card asks for (name and consent always)
// and checks them: a name, the consent ticked, a note of at most
// maxCardNote characters.
func cardForm(c *fiber.Ctx, card *accounts.Card) publicPage {
	p := publicPage{Form: map[string]string{}, Errors: map[string]string{}}
	for _, k := range []string{"name", "email", "company", "title", "linkedin_url", "note", "consent"} {
		if k == "name" || k == "consent" || card.Asks(k) {
			p.Form[k] = utils.CopyString(strings.TrimSpace(c.FormValue(k)))
		}
	}
	if p.Form["name"] == "" {
		p.Errors["name"] = "Your name is needed."
	}
	if p.Form["consent"] != "yes" {
		p.Errors["consent"] = "Tick the box to share your details."
	}
	if utf8.RuneCountInString(p.Form["note"]) > maxCardNote {
		p.Errors["note"] = "Keep the note under 2,000 characters."
	}
	return p
}

// cardField maps the workflow's field names to the card form's.
func cardField(f string) string {
	switch f = webField(f); f {
	case "notes", "moment", "event":
		return "note"
	}
	return f
}

// telURL is a tel: link of a phone number made only of digits and
// separators (phoneChars).
func telURL(ph string) template.URL {
	return template.URL("tel:" + strings.Map(func(r rune) rune {
		if r == ' ' || r == '(' || r == ')' || r == '.' || r == '/' || r == '-' {
			return -1
		}
		return r
	}, ph))
}
