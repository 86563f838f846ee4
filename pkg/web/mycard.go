package web

import (
	"encoding/json"
	"net/url"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/crm"
)

// The phone's side of the personal card: /app/card shows it as a QR code
// for the event you are at; the settings page edits it.

// webCard is the card page's view.
type webCard struct {
	On               bool
	Email            string
	EventID, URL     string
	Image            string
	Headline, Public string
}

// handleWebCard shows the card's QR code for the chosen event (today's
// nearest by default).
func (s *pages) handleWebCard(c *fiber.Ctx) error {
	p := s.page(c, "My card", "card")
	u := user(c)
	p.Card = &webCard{On: u.Card.Enabled && u.Card.ID != "", Email: u.Email}
	if !p.Card.On {
		return s.render(c, 200, "card", p)
	}
	evs, err := s.todaysEvents(c, u)
	if err != nil {
		return err
	}
	p.Events = evs.list
	eventID := utils.CopyString(c.Query("event_id"))
	if _, ok := c.Queries()["event_id"]; !ok {
		eventID = evs.closest
	}
	known := eventID == ""
	for _, e := range evs.list {
		known = known || e.ID == eventID
	}
	if !known {
		eventID = ""
	}
	p.Form["event_id"] = eventID
	p.Card.EventID = eventID
	p.Card.URL = crm.CardURL(s.BaseURL, &u.Card, eventID)
	p.Card.Public = crm.CardURL("", &u.Card, "")
	p.Card.Image = "/app/card.png"
	if eventID != "" {
		p.Card.Image += "?event_id=" + url.QueryEscape(eventID)
	}
	return s.render(c, 200, "card", p)
}

// handleWebCardPNG is the card's QR code for an event (as GET
// /v1/me/card.png, on the session).
func (s *pages) handleWebCardPNG(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	png, _, err := s.CRM.CardQR(ctx, user(c), s.BaseURL, c.Query("event_id"), api.CardQRSize)
	if err != nil {
		return err
	}
	c.Set("Cache-Control", "private, no-cache")
	c.Type("png")
	return c.Send(png)
}

// handleWebCardOn turns the card on, showing the account's email unless
// the card has one.
func (s *pages) handleWebCardOn(c *fiber.Ctx) error {
	u := user(c)
	card := map[string]any{"enabled": true}
	if u.Card.Email == "" {
		card["email"] = u.Email
	}
	if err := s.patchMe(c, map[string]any{"card": card}); err != nil {
		return err
	}
	return seeNotice(c, "/app/card", "Your card is on.")
}

// handleWebCardRotate gives the card a new address; printed or shared QR
// codes stop working.
func (s *pages) handleWebCardRotate(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	if _, err := s.Accounts.RotateCard(ctx, user(c).ID); err != nil {
		return err
	}
	return seeNotice(c, "/app/card", "Your card has a new address; the old one no longer works.")
}

// patchMe applies a settings patch as PATCH /v1/me does.
func (s *pages) patchMe(c *fiber.Ctx, patch map[string]any) error {
	body, _ := json.Marshal(patch)
	ctx, cancel := s.ctx(c)
	defer cancel()
	_, err := s.CRM.UpdateSettings(ctx, s.Accounts, user(c).ID, body)
	return err
}

// handleWebPassword sets or changes the password from the settings page.
func (s *pages) handleWebPassword(c *fiber.Ctx) error {
	in := accounts.PasswordInput{Password: c.FormValue("password"), CurrentPassword: c.FormValue("current_password")}
	ctx, cancel := s.ctx(c)
	defer cancel()
	err := s.Accounts.SetPassword(ctx, user(c).ID, in)
	if err == nil {
		return seeNotice(c, "/app/settings", "Password saved.")
	}
	p := s.page(c, "Settings", "settings")
	s.settingsForm(p.Form, user(c))
	switch {
	case apperr.Is(err, apperr.Unauthorized):
		s.AuthFails.Fail(c.IP())
		p.Errors["current_password"] = "That is not your current password."
	case p.showProblem(err, nil):
		p.asSentences()
	default:
		return err
	}
	return s.settingsAgain(c, fiber.StatusUnprocessableEntity, p)
}

// settingsAgain shows the settings page with p's errors (or problem) at
// status.
func (s *pages) settingsAgain(c *fiber.Ctx, status int, p webPage) error {
	if err := s.deviceLinks(c, &p); err != nil {
		return err
	}
	return s.render(c, status, "settings", p)
}
