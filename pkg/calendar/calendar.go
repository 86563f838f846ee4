// Package calendar writes iCalendar (RFC 5545) files with emersion/go-ical
// and works around its gaps in this one place: go-ical refuses an empty
// calendar, does not fold lines at 75 octets, fails on a CR inside text,
// writes TZID=Local for non-UTC times and drops VALUE=DURATION on
// REFRESH-INTERVAL. Everything here is written in UTC with CRLF line ends,
// folded without splitting a UTF-8 character.
package calendar

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/rapport-crm/rapport/pkg/input"
)

// ProdID names Rapport as the producer of the calendars it writes.
const ProdID = "-//Rapport//Rapport CRM//EN"

// Calendar is a calendar to write.
type Calendar struct {
	// Name is shown by clients as the calendar's name (NAME, X-WR-CALNAME).
	Name string
	// Refresh, if set, asks clients to poll this often (REFRESH-INTERVAL,
	// X-PUBLISHED-TTL).
	Refresh time.Duration
	Events  []Event
}

// Event is one VEVENT.
type Event struct {
	UID         string
	Summary     string
	Description string
	Location    string
	URL         string
	Start, End  time.Time
	// AllDay writes Start and End as dates (VALUE=DATE), the days they fall
	// on in their own location: End is the day after the last.
	AllDay       bool
	Stamp        time.Time // DTSTAMP
	LastModified time.Time
	Sequence     int
	Status       string // CONFIRMED, TENTATIVE or CANCELLED; empty for none
	Categories   []string
	// Alarm, if set, adds a display VALARM that long before Start.
	Alarm *time.Duration
}

// emptyMarker is a child component that marks where the events go in the
// encoded calendar (and lets go-ical encode an empty one); it is replaced
// in the output.
const emptyMarker = "X-RAPPORT-EMPTY"

// Encode writes c as an iCalendar file.
func Encode(c Calendar) ([]byte, error) {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, ProdID)
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	cal.Props.SetText(ical.PropMethod, "PUBLISH")
	if c.Name != "" {
		cal.Props.SetText(ical.PropName, clean(c.Name))
		wr := ical.NewProp("X-WR-CALNAME")
		wr.SetText(clean(c.Name))
		wr.Params.Del(ical.ParamValue) // TEXT is what clients assume
		cal.Props.Set(wr)
	}
	if c.Refresh > 0 {
		p := ical.NewProp(ical.PropRefreshInterval)
		p.Value = Duration(c.Refresh)
		p.Params.Set(ical.ParamValue, string(ical.ValueDuration)) // go-ical drops it as the default
		cal.Props.Set(p)
		ttl := ical.NewProp("X-PUBLISHED-TTL")
		ttl.Value = Duration(c.Refresh)
		cal.Props.Set(ttl)
	}
	// The calendar is encoded with a marker where its children go; the
	// children are encoded in parallel chunks (a feed of 10,000 entries is
	// mostly their encoding) and put in the marker's place.
	cal.Children = append(cal.Children, ical.NewComponent(emptyMarker))
	var head bytes.Buffer
	if err := ical.NewEncoder(&head).Encode(cal); err != nil {
		return nil, fmt.Errorf("encode calendar: %w", err)
	}
	before, after, _ := bytes.Cut(head.Bytes(), []byte("BEGIN:"+emptyMarker+"\r\nEND:"+emptyMarker+"\r\n"))
	chunks, err := encodeEvents(c.Events)
	if err != nil {
		return nil, err
	}
	size := len(before) + len(after)
	for _, ch := range chunks {
		size += len(ch)
	}
	out := make([]byte, 0, size)
	out = append(out, fold(before)...)
	for _, ch := range chunks {
		out = append(out, ch...)
	}
	return append(out, fold(after)...), nil
}

// encodeEvents encodes evs as folded VEVENTs, in order, split into one
// chunk per CPU encoded at once. Entries encoded before with the same
// content come from the entry cache: a feed re-rendered after one change
// encodes one entry.
func encodeEvents(evs []Event) ([][]byte, error) {
	n := min(runtime.GOMAXPROCS(0), max(1, len(evs)/500))
	chunks := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		part := evs[i*len(evs)/n : (i+1)*len(evs)/n]
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := make([]byte, 0, len(part)*600)
			var buf bytes.Buffer
			enc := ical.NewEncoder(&buf)
			for _, e := range part {
				key := e.key()
				if b, ok := entries.get(key); ok {
					out = append(out, b...)
					continue
				}
				buf.Reset()
				// Encode writes any component it is given, with its children.
				if err := enc.Encode(&ical.Calendar{Component: event(e)}); err != nil {
					errs[i] = fmt.Errorf("encode calendar: %w", err)
					return
				}
				b := fold(buf.Bytes())
				entries.put(key, b)
				out = append(out, b...)
			}
			chunks[i] = out
		}()
	}
	wg.Wait()
	return chunks, errors.Join(errs...)
}

// entries caches encoded entries across renders and users.
var entries = newEntryCache(32 << 20)

// entryCache maps an entry's key to its encoded bytes, bounded in size: two
// generations, the older dropped when the newer fills half the limit, and
// a hit in the older moved to the newer.
type entryCache struct {
	mu       sync.Mutex
	cur, old map[string][]byte
	size     int
	limit    int
}

func newEntryCache(limit int) *entryCache {
	return &entryCache{cur: map[string][]byte{}, old: map[string][]byte{}, limit: limit}
}

func (c *entryCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if b, ok := c.cur[key]; ok {
		return b, true
	}
	b, ok := c.old[key]
	if ok {
		c.putLocked(key, b)
	}
	return b, ok
}

func (c *entryCache) put(key string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(key, b)
}

func (c *entryCache) putLocked(key string, b []byte) {
	if c.size+len(b)+len(key) > c.limit/2 {
		c.old, c.cur, c.size = c.cur, map[string][]byte{}, 0
	}
	c.cur[key] = b
	c.size += len(b) + len(key)
}

// entrySeed keys the content hashes of entries (per process).
var entrySeed = maphash.MakeSeed()

// key identifies e's content: its UID (unique to one user's entry) and a
// 64-bit hash of every field, so a changed entry is encoded afresh and
// another user's entry can never be served.
func (e *Event) key() string {
	var h maphash.Hash
	h.SetSeed(entrySeed)
	for _, s := range []string{e.Summary, e.Description, e.Location, e.URL, e.Status} {
		h.WriteString(s)
		h.WriteByte(0)
	}
	for _, s := range e.Categories {
		h.WriteString(s)
		h.WriteByte(1)
	}
	var nums [8]int64
	nums[0], nums[1], nums[2], nums[3], nums[4] = e.Start.UnixNano(), e.End.UnixNano(), e.Stamp.UnixNano(), e.LastModified.UnixNano(), int64(e.Sequence)
	nums[5] = -1
	if e.Alarm != nil {
		nums[5] = int64(*e.Alarm)
	}
	if e.AllDay { // the days depend on the location too
		_, off := e.Start.Zone()
		nums[6] = 1 + int64(off)<<1
	}
	for _, n := range nums[:7] {
		maphash.WriteComparable(&h, n)
	}
	sum := h.Sum64()
	return e.UID + "\x00" + string([]byte{byte(sum), byte(sum >> 8), byte(sum >> 16), byte(sum >> 24), byte(sum >> 32), byte(sum >> 40), byte(sum >> 48), byte(sum >> 56)})
}

func event(e Event) *ical.Component {
	v := ical.NewEvent()
	v.Props.SetText(ical.PropUID, e.UID)
	v.Props.SetDateTime(ical.PropDateTimeStamp, e.Stamp.UTC())
	if e.AllDay {
		v.Props.SetDate(ical.PropDateTimeStart, e.Start)
		v.Props.SetDate(ical.PropDateTimeEnd, e.End)
	} else {
		v.Props.SetDateTime(ical.PropDateTimeStart, e.Start.UTC())
		v.Props.SetDateTime(ical.PropDateTimeEnd, e.End.UTC())
	}
	if !e.LastModified.IsZero() {
		v.Props.SetDateTime(ical.PropLastModified, e.LastModified.UTC())
	}
	seq := ical.NewProp(ical.PropSequence)
	seq.Value = fmt.Sprint(e.Sequence)
	v.Props.Set(seq)
	v.Props.SetText(ical.PropSummary, clean(e.Summary))
	if e.Description != "" {
		v.Props.SetText(ical.PropDescription, clean(e.Description))
	}
	if e.Location != "" {
		v.Props.SetText(ical.PropLocation, clean(e.Location))
	}
	if e.URL != "" {
		p := ical.NewProp(ical.PropURL)
		p.Value = clean(e.URL)
		v.Props.Set(p)
	}
	if e.Status != "" {
		st := ical.NewProp(ical.PropStatus)
		st.Value = e.Status
		v.Props.Set(st)
	}
	if len(e.Categories) > 0 {
		p := ical.NewProp(ical.PropCategories)
		l := make([]string, len(e.Categories))
		for i, c := range e.Categories {
			l[i] = clean(c)
		}
		p.SetTextList(l)
		v.Props.Set(p)
	}
	if e.Alarm != nil {
		a := ical.NewComponent(ical.CompAlarm)
		act := ical.NewProp(ical.PropAction)
		act.Value = "DISPLAY"
		a.Props.Set(act)
		a.Props.SetText(ical.PropDescription, clean(e.Summary))
		trig := ical.NewProp(ical.PropTrigger)
		trig.Value = Duration(-*e.Alarm)
		a.Props.Set(trig)
		v.Children = append(v.Children, a)
	}
	return v.Component
}

// Duration formats d as an RFC 5545 duration in the largest whole units
// (PT1H, -PT15M, P1D) rather than go-ical's seconds (PT3600S).
func Duration(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	if d == 0 {
		return "PT0S"
	}
	var b strings.Builder
	b.WriteString(sign + "P")
	if days := d / (24 * time.Hour); days > 0 && d%(24*time.Hour) == 0 {
		fmt.Fprintf(&b, "%dD", days)
		return b.String()
	}
	b.WriteString("T")
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dH", h)
	}
	if m := d % time.Hour / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dM", m)
	}
	if sec := d % time.Minute / time.Second; sec > 0 {
		fmt.Fprintf(&b, "%dS", sec)
	}
	return b.String()
}

// clean makes text safe for go-ical: line breaks of any kind (a browser
// sends \r\n) become \n, which go-ical escapes; other control characters,
// which iCalendar text must not contain, are dropped; invalid UTF-8 is
// replaced (input.CleanText).
func clean(s string) string { return input.CleanText(s) }

// fold folds every line longer than 75 octets (RFC 5545 §3.1): CRLF and a
// space before each continuation, never inside a UTF-8 sequence. Bytes
// that are not UTF-8 are cut at the limit: a run of continuation bytes has
// no rune's start to back up to, and backing up to the line's start would
// fold nothing, forever.
func fold(in []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(in) + len(in)/60*3)
	for len(in) > 0 {
		end := bytes.Index(in, []byte("\r\n"))
		line := in
		if end >= 0 {
			line, in = in[:end], in[end+2:]
		} else {
			in = nil
		}
		limit := 75
		for len(line) > limit {
			cut := limit
			for cut > limit-(utf8.UTFMax-1) && !utf8.RuneStart(line[cut]) {
				cut--
			}
			if !utf8.RuneStart(line[cut]) {
				cut = limit // not UTF-8
			}
			out.Write(line[:cut])
			out.WriteString("\r\n ")
			line = line[cut:]
			limit = 74 // the leading space counts
		}
		out.Write(line)
		out.WriteString("\r\n")
	}
	return out.Bytes()
}
