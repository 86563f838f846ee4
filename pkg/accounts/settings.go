package accounts

import (
	"strings"

	"github.com/rapport-crm/rapport/pkg/input"
)

// SignupInput is the body of POST /v1/signup.
type SignupInput struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Timezone string `json:"timezone"`
}

// Settings is the patchable view of a user (PATCH /v1/me). Pointers tell
// a value from "cleared by null", which restores the default.
type Settings struct {
	Name           string         `json:"name"`
	Timezone       string         `json:"timezone"`
	NudgeHour      *int           `json:"nudge_hour"`
	Notify         NotifySettings `json:"notify"`
	FollowupPolicy PolicySettings `json:"followup_policy"`
	Agenda         AgendaSettings `json:"agenda"`
	Card           CardSettings   `json:"card"`
}

// NotifySettings is the patchable view of Notify, secret included.
type NotifySettings struct {
	Email         string `json:"email,omitempty"`
	WebhookURL    string `json:"webhook_url,omitempty"`
	WebhookSecret string `json:"webhook_secret,omitempty"`
}

// PolicySettings is the patchable view of Policy.
type PolicySettings struct {
	ThankYouDays   *int `json:"thank_you_days"`
	CheckInDays    *int `json:"check_in_days"`
	IntroCheckDays *int `json:"intro_check_days"`
}

// AgendaSettings is the patchable view of Agenda.
type AgendaSettings struct {
	Enabled  bool   `json:"enabled"`
	Schedule string `json:"schedule,omitempty"`
}

// SettingsOf returns the patchable view of u.
func SettingsOf(u *User) Settings {
	p := func(n int) *int { return &n }
	return Settings{
		Name: u.Name, Timezone: u.Timezone, NudgeHour: p(u.NudgeHour),
		Notify: NotifySettings{Email: u.Notify.Email, WebhookURL: u.Notify.WebhookURL, WebhookSecret: u.Notify.WebhookSecret},
		FollowupPolicy: PolicySettings{
			ThankYouDays: p(u.FollowupPolicy.ThankYouDays), CheckInDays: p(u.FollowupPolicy.CheckInDays),
			IntroCheckDays: p(u.FollowupPolicy.IntroCheckDays),
		},
		Agenda: AgendaSettings{Enabled: u.Agenda.Enabled, Schedule: u.Agenda.Schedule},
		Card:   cardSettingsOf(u.Card),
	}
}

// URLCheck validates a webhook URL beyond its syntax (e.g. refusing private
// addresses); it returns a user-facing reason, or "" when the URL is allowed.
type URLCheck func(raw string) string

// apply validates s and writes it into u. urlCheck may be nil.
func (s Settings) apply(u *User, urlCheck URLCheck, parse ParseSchedule) error {
	var c input.Checker
	u.Name = c.Required("name", s.Name, input.MaxName)
	u.Timezone = c.Timezone("timezone", s.Timezone, DefaultTimezone)
	u.NudgeHour = orDefault(s.NudgeHour, DefaultNudgeHour)
	c.Range("nudge_hour", u.NudgeHour, 0, 23)

	u.Notify.Email = u.Email
	if e := strings.TrimSpace(s.Notify.Email); e != "" {
		u.Notify.Email = c.Email("notify.email", e)
	}
	u.Notify.WebhookURL = c.URL("notify.webhook_url", s.Notify.WebhookURL)
	if u.Notify.WebhookURL != "" && urlCheck != nil {
		if why := urlCheck(u.Notify.WebhookURL); why != "" {
			c.Add("notify.webhook_url", "%s", why)
		}
	}
	u.Notify.WebhookSecret = c.Text("notify.webhook_secret", s.Notify.WebhookSecret, 256)
	if u.Notify.WebhookURL != "" && u.Notify.WebhookSecret == "" {
		c.Add("notify.webhook_secret", "is required with a webhook_url, so receivers can verify the signature")
	}

	u.FollowupPolicy.ThankYouDays = orDefault(s.FollowupPolicy.ThankYouDays, DefaultThankYouDays)
	u.FollowupPolicy.CheckInDays = orDefault(s.FollowupPolicy.CheckInDays, DefaultCheckInDays)
	u.FollowupPolicy.IntroCheckDays = orDefault(s.FollowupPolicy.IntroCheckDays, DefaultIntroCheckDays)
	c.Range("followup_policy.thank_you_days", u.FollowupPolicy.ThankYouDays, 0, 365)
	c.Range("followup_policy.check_in_days", u.FollowupPolicy.CheckInDays, 0, 3650)
	c.Range("followup_policy.intro_check_days", u.FollowupPolicy.IntroCheckDays, 0, 3650)

	u.Agenda.Enabled = s.Agenda.Enabled
	u.Agenda.Schedule = strings.TrimSpace(s.Agenda.Schedule)
	if u.Agenda.Schedule == "" {
		u.Agenda.Schedule = DefaultAgendaSchedule
	}
	if _, err := parse(u.Agenda.Schedule); err != nil {
		c.Add("agenda.schedule", "%v", err)
	}
	s.Card.apply(&u.Card, &c)
	return c.Err()
}

func orDefault(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}
