package accounts

import (
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/pkg/input"
)

// Defaults of a new user's settings (PRODUCT.md §3).
const (
	DefaultTimezone       = "UTC"
	DefaultNudgeHour      = 9
	DefaultThankYouDays   = 1
	DefaultCheckInDays    = 30
	DefaultIntroCheckDays = 14
	DefaultAgendaSchedule = "0 8 * * MON"
)

// User is one account and its settings.
type User struct {
	ID             string    `json:"id"`
	Email          string    `json:"email"`
	Name           string    `json:"name"`
	Timezone       string    `json:"timezone"`
	NudgeHour      int       `json:"nudge_hour"`
	Notify         Notify    `json:"notify"`
	FollowupPolicy Policy    `json:"followup_policy"`
	Agenda         Agenda    `json:"agenda"`
	Card           Card      `json:"card"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Notify says where nudges go. WebhookSecret is write-only: it is never
// written out, only whether one is set.
type Notify struct {
	Email         string `json:"email"`
	WebhookURL    string `json:"webhook_url"`
	WebhookSecret string `json:"-"`
}

// MarshalJSON writes the notify settings without the secret.
func (n Notify) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Email            string `json:"email"`
		WebhookURL       string `json:"webhook_url"`
		WebhookSecretSet bool   `json:"webhook_secret_set"`
	}{n.Email, n.WebhookURL, n.WebhookSecret != ""})
}

// Policy says when automatic follow-ups fall due, in days; 0 turns that
// kind of follow-up off.
type Policy struct {
	ThankYouDays   int `json:"thank_you_days"`
	CheckInDays    int `json:"check_in_days"`
	IntroCheckDays int `json:"intro_check_days"`
}

// Agenda says whether and when the user is emailed the coming week.
type Agenda struct {
	Enabled  bool   `json:"enabled"`
	Schedule string `json:"schedule"`
}

// Location returns the user's time zone (UTC if it cannot be loaded).
func (u *User) Location() *time.Location {
	loc, err := input.LoadZone(u.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}
