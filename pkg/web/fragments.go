package web

import (
	"crypto/sha256"
	"encoding/binary"
	"html/template"
	"io"
	"reflect"
	"strings"
	"sync"
)

// fragments keeps what one template of a page drew, under a digest of
// everything it drew it from, so a page seen again draws only what
// changed. What a template draws depends on nothing but its data (the
// template set is fixed at start), so a kept fragment is never stale; a
// changed field is another digest. Up to max bytes are kept; past them
// it starts again empty.
type fragments struct {
	t    *template.Template
	name string
	max  int

	mu   sync.Mutex
	m    map[[sha256.Size]byte]template.HTML
	size int
}

// newFragments keeps what template name of t draws from values of zero's
// type: structs of strings, bools, ints and slices of them (digest). It
// draws it once from zero, so that html/template escapes it here rather
// than at the first page.
func newFragments(t *template.Template, name string, zero any, max int) *fragments {
	digestible(reflect.TypeOf(zero))
	if err := t.ExecuteTemplate(io.Discard, name, zero); err != nil {
		panic(err) // a template of the embedded set: a fault of the build
	}
	return &fragments{t: t, name: name, max: max, m: map[[sha256.Size]byte]template.HTML{}}
}

// draw returns what the template draws from data (of the type given to
// newFragments): from memory when it drew the same data before.
func (f *fragments) draw(data any) (template.HTML, error) {
	key := sha256.Sum256(appendValue(nil, reflect.ValueOf(data)))
	f.mu.Lock()
	h, ok := f.m[key]
	f.mu.Unlock()
	if ok {
		return h, nil
	}
	var b strings.Builder
	if err := f.t.ExecuteTemplate(&b, f.name, data); err != nil {
		return "", err
	}
	h = template.HTML(b.String()) // html/template's own output, escaped as it drew it
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.m[key]; !ok {
		if f.size+len(h) > f.max {
			f.m, f.size = map[[sha256.Size]byte]template.HTML{}, 0
		}
		f.m[key] = h
		f.size += len(h)
	}
	return h, nil
}

// appendValue writes v for its digest: every field in order, each string
// and slice after its length, so that no two values write the same bytes.
// A nil slice writes as an empty one, which a template draws alike.
func appendValue(b []byte, v reflect.Value) []byte {
	switch v.Kind() {
	case reflect.String:
		b = binary.AppendUvarint(b, uint64(v.Len()))
		return append(b, v.String()...)
	case reflect.Bool:
		if v.Bool() {
			return append(b, 1)
		}
		return append(b, 0)
	case reflect.Int:
		return binary.AppendVarint(b, v.Int())
	case reflect.Slice:
		b = binary.AppendUvarint(b, uint64(v.Len()))
		for i := range v.Len() {
			b = appendValue(b, v.Index(i))
		}
		return b
	default: // reflect.Struct: digestible allows nothing else
		for i := range v.NumField() {
			b = appendValue(b, v.Field(i))
		}
		return b
	}
}

// digestible panics for a type appendValue cannot write whole (a pointer,
// a map: what they hold could change under the same digest).
func digestible(t reflect.Type) {
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int:
	case reflect.Slice:
		digestible(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			digestible(t.Field(i).Type)
		}
	default:
		panic("fragments: a " + t.String() + " cannot be digested")
	}
}
