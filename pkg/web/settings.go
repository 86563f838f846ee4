package web

import (
	"encoding/json"
	"errors"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/backup"
)

// The calendar and settings pages: feed links per device, time zone,
// nudge hour and where nudges go.

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
	// Another user's links, or none, are not found, as every record of
	// another user's is (the page said they were revoked).
	if err := s.Accounts.DeleteFeedSet(ctx, user(c).ID, c.Params("id")); apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "calendar links")
	} else if err != nil {
		return err
	}
	return seeNotice(c, "/app/settings#devices", "Those calendar links no longer work.")
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
	f["thank_you_days"] = strconv.Itoa(u.FollowupPolicy.ThankYouDays)
	f["check_in_days"] = strconv.Itoa(u.FollowupPolicy.CheckInDays)
	f["intro_check_days"] = strconv.Itoa(u.FollowupPolicy.IntroCheckDays)
	if u.Agenda.Enabled {
		f["agenda_enabled"] = "on"
	}
	if day, hour, ok := agendaDayHour(u.Agenda.Schedule); ok {
		f["agenda_day"], f["agenda_hour"] = day, hour
	} else {
		f["agenda_day"], f["agenda_hour"], f["agenda_custom"] = "", "8", u.Agenda.Schedule
	}
}

// agendaDays are the days the settings page offers for the weekly agenda,
// as its cron spec names them.
var agendaDays = []option{{"MON", "Mondays"}, {"TUE", "Tuesdays"}, {"WED", "Wednesdays"}, {"THU", "Thursdays"}, {"FRI", "Fridays"},
	{"SAT", "Saturdays"}, {"SUN", "Sundays"}, {"MON-FRI", "Every weekday"}, {"*", "Every day"}}

// agendaDayHour reads an agenda schedule the settings page can show as a
// day and an hour ("0 8 * * MON"); ok is false for any other cron spec
// (set through the API), which the page keeps unless a day is picked.
func agendaDayHour(spec string) (day, hour string, ok bool) {
	f := strings.Fields(spec)
	if len(f) != 5 || f[0] != "0" || f[2] != "*" || f[3] != "*" {
		return "", "", false
	}
	if h, err := strconv.Atoi(f[1]); err != nil || h < 0 || h > 23 || strconv.Itoa(h) != f[1] {
		return "", "", false
	}
	for _, d := range agendaDays {
		if strings.EqualFold(d.Value, f[4]) {
			return d.Value, f[1], true
		}
	}
	return "", "", false
}

// settingsPolicy and settingsAgenda add the follow-up policy and the weekly
// agenda, as the form sets them, to a PATCH /v1/me body; a field the form
// did not send is left as it is.
func settingsPolicy(f map[string]string, patch map[string]any, errs map[string]string) {
	policy := map[string]any{}
	for _, k := range []string{"thank_you_days", "check_in_days", "intro_check_days"} {
		if f[k] == "" {
			continue
		}
		if n, err := strconv.Atoi(f[k]); err == nil {
			policy[k] = n
		} else {
			errs[k] = "Give a number of days (0: never)."
		}
	}
	if len(policy) > 0 {
		patch["followup_policy"] = policy
	}
}

func settingsAgenda(f map[string]string, sent bool, patch map[string]any, errs map[string]string) {
	if !sent {
		return
	}
	agenda := map[string]any{"enabled": f["agenda_enabled"] == "on"}
	if f["agenda_day"] != "" { // "": the schedule set through the API, kept
		h, err := strconv.Atoi(f["agenda_hour"])
		if err != nil || h < 0 || h > 23 {
			errs["agenda_hour"] = "Give an hour from 0 to 23."
		}
		agenda["schedule"] = "0 " + strconv.Itoa(h) + " * * " + f["agenda_day"]
	}
	patch["agenda"] = agenda
}

// handleWebSettingsSave applies the form as PATCH /v1/me would.
func (s *pages) handleWebSettingsSave(c *fiber.Ctx) error {
	p := s.page(c, "Settings", "settings")
	for _, k := range []string{"name", "timezone", "nudge_hour", "notify_email", "webhook_url", "webhook_secret",
		"card_enabled", "card_headline", "card_company", "card_title", "card_phone", "card_email", "card_links",
		"thank_you_days", "check_in_days", "intro_check_days", "agenda_enabled", "agenda_day", "agenda_hour"} {
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
	settingsPolicy(p.Form, patch, p.Errors)
	settingsAgenda(p.Form, c.Request().PostArgs().Has("agenda_day"), patch, p.Errors)
	if p.Form["agenda_day"] == "" {
		p.Form["agenda_custom"] = user(c).Agenda.Schedule
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
	return seeNotice(c, "/app/settings", "Saved.")
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
	case strings.HasPrefix(f, "followup_policy."):
		return strings.TrimPrefix(f, "followup_policy.")
	case f == "agenda.schedule":
		return "agenda_day"
	}
	return strings.TrimPrefix(f, "notify.")
}

// handleWebDeleteAccount deletes the account as DELETE /v1/me does (the
// email typed again, the password once one is set; a wrong one counts as
// a failed sign-in) and shows the sign-in page, the browser told to drop
// what it keeps of the site (the offline pages and queue).
func (s *pages) handleWebDeleteAccount(c *fiber.Ctx) error {
	ip := c.IP()
	p := s.page(c, "Settings", "settings")
	s.settingsForm(p.Form, user(c))
	if s.AuthFails.Blocked(ip) > 0 {
		p.Problem = "Too many failed sign-ins from here; try again in a few minutes."
		return s.settingsAgain(c, fiber.StatusTooManyRequests, p)
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	err := backup.DeleteAccount(ctx, s.Accounts, s.Idempotency, user(c), accounts.DeleteInput{Confirm: c.FormValue("confirm"),
		Password: c.FormValue("delete_password")}, s.Logger)
	switch {
	case err == nil:
		c.Set("Clear-Site-Data", `"cache", "storage"`)
		s.dropSessionCookie(c)
		return s.renderLogin(c, fiber.StatusOK, webPage{Title: "Sign in", Notice: "Your account and everything in it are deleted.",
			Form: map[string]string{}, Errors: map[string]string{}})
	case apperr.Is(err, apperr.Unauthorized):
		s.AuthFails.Fail(ip)
		p.Errors["delete_password"] = "That is not your password."
	case apperr.Is(err, apperr.Conflict):
		p.Problem = "Not deleted: " + apperr.PublicOf(err) + ". Try again when it has finished."
		return s.settingsAgain(c, fiber.StatusConflict, p)
	case p.showProblem(err, map[string]string{"password": "delete_password"}): // the password form's is the new one
		p.asSentences()
	default:
		return err
	}
	return s.settingsAgain(c, fiber.StatusUnprocessableEntity, p)
}
