package mongodb

// The documents: how each domain type is stored in MongoDB, its fields
// named as the collections hold them. The domain types carry no storage
// shape; the registry below reads and writes each as its document type
// (the same fields, so one converts to the other).

import (
	"bytes"
	"fmt"
	"reflect"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/kinds"
	"github.com/rapport-crm/rapport/pkg/opportunities"
)

// registry is the driver's registry with the documents of the domain
// types registered.
var registry = newRegistry()

func newRegistry() *bson.Registry {
	r := bson.NewRegistry()
	register[contacts.Encounter, docEncounter](r)
	register[contacts.ExtraFill, docExtraFill](r)
	register[contacts.Addition, docAddition](r)
	register[contacts.CardGroup, docCardGroup](r)
	register[contacts.Import, docImport](r)
	register[contacts.Interaction, docInteraction](r)
	register[contacts.Contact, docContact](r)
	register[contacts.Intro, docIntro](r)
	register[events.Attendee, docAttendee](r)
	register[events.Calendar, docCalendar](r)
	register[events.SyncResult, docSyncResult](r)
	register[events.Intentions, docIntentions](r)
	register[events.Target, docTarget](r)
	register[events.Event, docEvent](r)
	register[events.Talk, docTalk](r)
	register[events.Source, docSource](r)
	register[followup.QueueEntry, docQueueEntry](r)
	register[followup.FollowUp, docFollowUp](r)
	register[followup.State, docState](r)
	register[followup.Batch, docBatch](r)
	register[followup.BatchItem, docBatchItem](r)
	register[followup.ChannelState, docChannelState](r)
	register[companies.Company, docCompany](r)
	register[opportunities.Opportunity, docOpportunity](r)
	register[opportunities.StageChange, docStageChange](r)
	register[accounts.Token, docToken](r)
	register[accounts.User, docUser](r)
	register[accounts.Notify, docNotify](r)
	register[accounts.Policy, docPolicy](r)
	register[accounts.Agenda, docAgenda](r)
	register[accounts.FeedSet, docFeedSet](r)
	register[accounts.Card, docCard](r)
	register[accounts.Session, docSession](r)
	register[idempotency.Record, docRecord](r)
	register[kinds.Doc, docKindDoc](r)
	return r
}

// unmarshal decodes a document read as bson.Raw with the registry.
func unmarshal(raw bson.Raw, out any) error {
	dec := bson.NewDecoder(bson.NewDocumentReader(bytes.NewReader(raw)))
	dec.SetRegistry(registry)
	return dec.Decode(out)
}

// register makes r write a T as its document type D and read a D into a
// T. D must have T's fields, in order (tags aside).
func register[T, D any](r *bson.Registry) {
	t, d := reflect.TypeFor[T](), reflect.TypeFor[D]()
	if !t.ConvertibleTo(d) {
		panic(fmt.Sprintf("mongodb: %s is not the document of %s", d, t))
	}
	r.RegisterTypeEncoder(t, bson.ValueEncoderFunc(func(ec bson.EncodeContext, vw bson.ValueWriter, v reflect.Value) error {
		enc, err := ec.LookupEncoder(d)
		if err != nil {
			return err
		}
		return enc.EncodeValue(ec, vw, v.Convert(d))
	}))
	r.RegisterTypeDecoder(t, bson.ValueDecoderFunc(func(dc bson.DecodeContext, vr bson.ValueReader, v reflect.Value) error {
		dec, err := dc.LookupDecoder(d)
		if err != nil {
			return err
		}
		dv := reflect.New(d).Elem()
		if err := dec.DecodeValue(dc, vr, dv); err != nil {
			return err
		}
		v.Set(dv.Convert(t))
		return nil
	}))
}

// docEncounter is how a contacts.Encounter is stored.
type docEncounter struct {
	ID          string    `bson:"_id"`
	UserID      string    `bson:"user_id"`
	EventID     string    `bson:"event_id"`
	ContactID   string    `bson:"contact_id"`
	Moment      string    `bson:"moment"`
	MetAt       time.Time `bson:"met_at"`
	Notes       string    `bson:"notes"`
	Topics      []string  `bson:"topics"`
	CreatedAt   time.Time `bson:"created_at"`
	ContactName string    `bson:"-"`
}

// docImport is how a contacts.Import is stored.
type docImport struct {
	ID          string               `bson:"_id"`
	UserID      string               `bson:"user_id"`
	CreatedAt   time.Time            `bson:"created_at"`
	StartedAt   *time.Time           `bson:"started_at,omitempty"`
	Created     []string             `bson:"created"`
	Before      []contacts.Contact   `bson:"before"`
	Added       []contacts.Addition  `bson:"added,omitempty"`
	ExtraFilled []contacts.ExtraFill `bson:"extra_filled,omitempty"`
	Kind        string               `bson:"kind,omitempty"`
	State       string               `bson:"state,omitempty"`
	UpdatedAt   *time.Time           `bson:"updated_at,omitempty"`
	CreatedN    int                  `bson:"created_n"`
	UpdatedN    int                  `bson:"updated_n"`
	UndoneAt    *time.Time           `bson:"undone_at,omitempty"`
}

// docCardGroup is how a contacts.CardGroup is stored (card_groups).
type docCardGroup struct {
	ID        string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	DAVName   string    `bson:"dav_name"`
	Name      string    `bson:"name"`
	Card      string    `bson:"card"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// docAddition is how a contacts.Addition is stored (in docImport).
type docAddition struct {
	ID          string     `bson:"id"`
	Emails      []string   `bson:"emails,omitempty"`
	Phones      []string   `bson:"phones,omitempty"`
	Tags        []string   `bson:"tags,omitempty"`
	Company     string     `bson:"company,omitempty"`
	CompanyID   string     `bson:"company_id,omitempty"`
	Title       string     `bson:"title,omitempty"`
	LinkedInURL string     `bson:"linkedin_url,omitempty"`
	Notes       string     `bson:"notes,omitempty"`
	CadenceDays int        `bson:"cadence_days,omitempty"`
	KnownSince  *time.Time `bson:"known_since,omitempty"`
	ExtraSum    string     `bson:"extra_sum,omitempty"`
}

// docExtraFill is how a contacts.ExtraFill is stored (in docImport).
type docExtraFill struct {
	ID  string `bson:"id"`
	Sum string `bson:"sum"`
}

// docInteraction is how a contacts.Interaction is stored.
type docInteraction struct {
	ID        string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	ContactID string    `bson:"contact_id"`
	EventID   string    `bson:"event_id,omitempty"`
	Kind      string    `bson:"kind"`
	At        time.Time `bson:"at"`
	Notes     string    `bson:"notes"`
	CreatedAt time.Time `bson:"created_at"`
}

// docContact is how a contacts.Contact is stored.
type docContact struct {
	ID              string     `bson:"_id"`
	UserID          string     `bson:"user_id"`
	Name            string     `bson:"name"`
	Emails          []string   `bson:"emails"`
	Phones          []string   `bson:"phones"`
	Company         string     `bson:"company"`
	CompanyID       string     `bson:"company_id,omitempty"`
	Title           string     `bson:"title"`
	LinkedInURL     string     `bson:"linkedin_url"`
	Tags            []string   `bson:"tags"`
	Notes           string     `bson:"notes"`
	CadenceDays     int        `bson:"cadence_days"`
	LastContactedAt *time.Time `bson:"last_contacted_at,omitempty"`
	KnownSince      time.Time  `bson:"known_since"`
	CreatedAt       time.Time  `bson:"created_at"`
	UpdatedAt       time.Time  `bson:"updated_at"`
	DAVName         string     `bson:"dav_name,omitempty"`
	CardUID         string     `bson:"card_uid,omitempty"`
	CardExtra       string     `bson:"card_extra,omitempty"`
}

// docIntro is how a contacts.Intro is stored.
type docIntro struct {
	ID          string    `bson:"_id"`
	UserID      string    `bson:"user_id"`
	ContactIDs  []string  `bson:"contact_ids"`
	EventID     string    `bson:"event_id,omitempty"`
	Context     string    `bson:"context"`
	DoubleOptIn bool      `bson:"double_opt_in"`
	Status      string    `bson:"status"`
	Outcome     string    `bson:"outcome"`
	CreatedAt   time.Time `bson:"created_at"`
	UpdatedAt   time.Time `bson:"updated_at"`
}

// docAttendee is how a events.Attendee is stored.
type docAttendee struct {
	ID          string    `bson:"_id"`
	UserID      string    `bson:"user_id"`
	EventID     string    `bson:"event_id"`
	Key         string    `bson:"key"`
	Name        string    `bson:"name"`
	Email       string    `bson:"email"`
	Company     string    `bson:"company"`
	Title       string    `bson:"title"`
	LinkedInURL string    `bson:"linkedin_url"`
	Status      string    `bson:"status"`
	ContactID   *string   `bson:"-"`
	Met         bool      `bson:"-"`
	CreatedAt   time.Time `bson:"created_at"`
	UpdatedAt   time.Time `bson:"updated_at"`
}

// docCalendar is how a events.Calendar is stored.
type docCalendar struct {
	ID         string             `bson:"_id"`
	UserID     string             `bson:"user_id"`
	URL        string             `bson:"url"`
	Name       string             `bson:"name"`
	Tags       []string           `bson:"tags"`
	LastSyncAt *time.Time         `bson:"last_sync_at,omitempty"`
	LastError  string             `bson:"last_error,omitempty"`
	LastResult *events.SyncResult `bson:"last_result,omitempty"`
	CreatedAt  time.Time          `bson:"created_at"`
}

// docSyncResult is how a events.SyncResult is stored.
type docSyncResult struct {
	Created   int `bson:"created"`
	Updated   int `bson:"updated"`
	Unchanged int `bson:"unchanged"`
	Cancelled int `bson:"cancelled"`
	Skipped   int `bson:"skipped,omitempty"`
}

// docIntentions is how a events.Intentions is stored.
type docIntentions struct {
	Meet  []string `bson:"meet"`
	Learn []string `bson:"learn"`
	Give  []string `bson:"give"`
}

// docTarget is how a events.Target is stored.
type docTarget struct {
	ContactID string `bson:"contact_id,omitempty"`
	CompanyID string `bson:"company_id,omitempty"`
	Name      string `bson:"name,omitempty"`
}

// docEvent is how a events.Event is stored.
type docEvent struct {
	ID         string            `bson:"_id"`
	UserID     string            `bson:"user_id"`
	Title      string            `bson:"title"`
	Kind       string            `bson:"kind"`
	StartsAt   time.Time         `bson:"starts_at"`
	EndsAt     time.Time         `bson:"ends_at"`
	Timezone   string            `bson:"timezone"`
	Location   string            `bson:"location"`
	URL        string            `bson:"url"`
	Organizer  string            `bson:"organizer"`
	Talks      []events.Talk     `bson:"talks"`
	Tags       []string          `bson:"tags"`
	Notes      string            `bson:"notes"`
	Status     string            `bson:"status"`
	Sequence   int               `bson:"sequence"`
	Intentions events.Intentions `bson:"intentions"`
	Targets    events.Targets    `bson:"targets"`
	Series     string            `bson:"series"`
	Source     *events.Source    `bson:"source,omitempty"`
	CreatedAt  time.Time         `bson:"created_at"`
	UpdatedAt  time.Time         `bson:"updated_at"`
}

// docTalk is how a events.Talk is stored.
type docTalk struct {
	Title    string     `bson:"title"`
	Speaker  string     `bson:"speaker"`
	StartsAt *time.Time `bson:"starts_at,omitempty"`
}

// docSource is how a events.Source is stored.
type docSource struct {
	CalendarID string `bson:"calendar_id"`
	UID        string `bson:"uid"`
}

// docQueueEntry is how a followup.QueueEntry is stored.
type docQueueEntry struct {
	UserID    string    `bson:"_id"`
	NextAt    time.Time `bson:"next_at"`
	WakeNonce string    `bson:"wake_nonce"`
}

// docFollowUp is how a followup.FollowUp is stored.
type docFollowUp struct {
	ID            string     `bson:"_id"`
	UserID        string     `bson:"user_id"`
	ContactID     string     `bson:"contact_id"`
	Kind          string     `bson:"kind"`
	DueAt         time.Time  `bson:"due_at"`
	Status        string     `bson:"status"`
	Note          string     `bson:"note"`
	EncounterID   string     `bson:"encounter_id,omitempty"`
	IntroID       string     `bson:"intro_id,omitempty"`
	EventID       string     `bson:"event_id,omitempty"`
	OpportunityID string     `bson:"opportunity_id,omitempty"`
	NotifiedAt    *time.Time `bson:"-"`
	DeliveryError string     `bson:"-"`
	CreatedAt     time.Time  `bson:"created_at"`
	UpdatedAt     time.Time  `bson:"updated_at"`
	EndedAt       *time.Time `bson:"ended_at,omitempty"`
	Sequence      int        `bson:"sequence"`
	PendingKey    string     `bson:"pending_key"`
}

// docState is how a followup.State is stored.
type docState struct {
	UserID        string          `bson:"_id"`
	Batch         *followup.Batch `bson:"batch,omitempty"`
	AgendaSent    *time.Time      `bson:"agenda_sent,omitempty"`
	AgendaRetryAt *time.Time      `bson:"agenda_retry_at,omitempty"`
}

// docBatch is how a followup.Batch is stored.
type docBatch struct {
	ID        string                `bson:"id"`
	Items     []followup.BatchItem  `bson:"items"`
	CreatedAt time.Time             `bson:"created_at"`
	Attempts  int                   `bson:"attempts"`
	RetryAt   time.Time             `bson:"retry_at"`
	Email     followup.ChannelState `bson:"email"`
	Webhook   followup.ChannelState `bson:"webhook"`
}

// docBatchItem is how a followup.BatchItem is stored.
type docBatchItem struct {
	ID    string    `bson:"id"`
	DueAt time.Time `bson:"due_at"`
}

// docChannelState is how a followup.ChannelState is stored.
type docChannelState struct {
	Done  bool   `bson:"done"`
	Error string `bson:"error,omitempty"`
}

// docCompany is how a companies.Company is stored.
type docCompany struct {
	ID        string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	Name      string    `bson:"name"`
	Domain    string    `bson:"domain"`
	URL       string    `bson:"url"`
	Tags      []string  `bson:"tags"`
	Notes     string    `bson:"notes"`
	CreatedAt time.Time `bson:"created_at"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// docOpportunity is how a opportunities.Opportunity is stored.
type docOpportunity struct {
	ID              string                      `bson:"_id"`
	UserID          string                      `bson:"user_id"`
	Title           string                      `bson:"title"`
	CompanyID       string                      `bson:"company_id"`
	Kind            string                      `bson:"kind"`
	Stage           string                      `bson:"stage"`
	SourceContactID string                      `bson:"source_contact_id"`
	SourceEventID   string                      `bson:"source_event_id"`
	RecruiterIDs    []string                    `bson:"recruiter_ids"`
	NextStep        string                      `bson:"next_step"`
	NextStepAt      *time.Time                  `bson:"next_step_at,omitempty"`
	Notes           string                      `bson:"notes"`
	History         []opportunities.StageChange `bson:"history"`
	CreatedAt       time.Time                   `bson:"created_at"`
	UpdatedAt       time.Time                   `bson:"updated_at"`
}

// docStageChange is how a opportunities.StageChange is stored.
type docStageChange struct {
	Stage string    `bson:"stage"`
	At    time.Time `bson:"at"`
}

// docToken is how a accounts.Token is stored.
type docToken struct {
	ID         string     `bson:"_id"`
	UserID     string     `bson:"user_id"`
	Name       string     `bson:"name"`
	Hash       string     `bson:"hash"`
	CreatedAt  time.Time  `bson:"created_at"`
	LastUsedAt *time.Time `bson:"last_used_at,omitempty"`
}

// docUser is how a accounts.User is stored.
type docUser struct {
	ID             string          `bson:"_id"`
	Email          string          `bson:"email"`
	Name           string          `bson:"name"`
	Timezone       string          `bson:"timezone"`
	NudgeHour      int             `bson:"nudge_hour"`
	Notify         accounts.Notify `bson:"notify"`
	FollowupPolicy accounts.Policy `bson:"followup_policy"`
	Agenda         accounts.Agenda `bson:"agenda"`
	Card           accounts.Card   `bson:"card"`
	CreatedAt      time.Time       `bson:"created_at"`
	UpdatedAt      time.Time       `bson:"updated_at"`
}

// docNotify is how a accounts.Notify is stored.
type docNotify struct {
	Email         string `bson:"email"`
	WebhookURL    string `bson:"webhook_url,omitempty"`
	WebhookSecret string `bson:"webhook_secret,omitempty"`
}

// docPolicy is how a accounts.Policy is stored.
type docPolicy struct {
	ThankYouDays   int `bson:"thank_you_days"`
	CheckInDays    int `bson:"check_in_days"`
	IntroCheckDays int `bson:"intro_check_days"`
}

// docAgenda is how a accounts.Agenda is stored.
type docAgenda struct {
	Enabled  bool   `bson:"enabled"`
	Schedule string `bson:"schedule"`
}

// docFeedSet is how a accounts.FeedSet is stored.
type docFeedSet struct {
	Hash       string     `bson:"_id"`
	UserID     string     `bson:"user_id"`
	ID         string     `bson:"set_id"`
	Name       string     `bson:"name"`
	CreatedAt  time.Time  `bson:"created_at"`
	LastUsedAt *time.Time `bson:"last_used_at,omitempty"`
}

// docCard is how a accounts.Card is stored.
type docCard struct {
	Enabled  bool     `bson:"enabled"`
	ID       string   `bson:"id,omitempty"`
	Headline string   `bson:"headline"`
	Company  string   `bson:"company"`
	Title    string   `bson:"title"`
	Phone    string   `bson:"phone"`
	Email    string   `bson:"email"`
	Links    []string `bson:"links"`
	Fields   []string `bson:"fields"`
	Key      string   `bson:"key,omitempty"`
}

// docSession is how a accounts.Session is stored.
type docSession struct {
	Hash      string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	CSRF      string    `bson:"csrf"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// docRecord is how a idempotency.Record is stored.
type docRecord struct {
	ID          string    `bson:"_id"`
	UserID      string    `bson:"user_id"`
	Fingerprint string    `bson:"fingerprint"`
	Done        bool      `bson:"done"`
	Status      int       `bson:"status,omitempty"`
	ContentType string    `bson:"content_type,omitempty"`
	Body        []byte    `bson:"body,omitempty"`
	CreatedAt   time.Time `bson:"created_at"`
}

// docKindDoc is how a kinds.Doc is stored: its record's JSON as binary.
type docKindDoc struct {
	ID     string `bson:"_id"`
	UserID string `bson:"user_id"`
	Kind   string `bson:"kind"`
	Body   []byte `bson:"body"`
}
