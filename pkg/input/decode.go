// Package input turns untrusted JSON into typed values: strict decoding
// (unknown fields and wrong types are validation errors naming the field),
// RFC 7396 merge patches, and the field rules of PRODUCT.md §2 shared by
// every resource. Decoding into typed structs is also what keeps a JSON
// object such as {"$gt": ""} from ever reaching a query as an operator.
package input

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

// Decode strictly decodes one JSON value from data into v. A syntax error is
// Malformed; an unknown field or a value of the wrong type is Invalid and
// names the field.
func Decode(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return apperr.E(apperr.Malformed, "the request body is empty; want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeErr(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return apperr.E(apperr.Malformed, "the request body has data after the JSON value")
	}
	return nil
}

func decodeErr(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return apperr.Wrap(apperr.Malformed, err, "the request body is not valid JSON (at byte %d)", se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Wrap(apperr.Malformed, err, "the request body is truncated JSON")
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return apperr.Wrap(apperr.Malformed, err, "the request body must be a JSON object")
		}
		return apperr.InvalidField(field, "must be %s, not %s", describeType(te.Type.String()), te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.InvalidField(name, "is not a known field")
	default:
		var ve *apperr.Error
		if errors.As(err, &ve) {
			return ve
		}
		return apperr.Wrap(apperr.Malformed, err, "the request body cannot be decoded")
	}
}

func describeType(t string) string {
	switch {
	case t == "string" || strings.HasSuffix(t, "Time"):
		return "a string"
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint") || strings.HasPrefix(t, "float"):
		return "a number"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "[]"):
		return "an array"
	default:
		return "an object"
	}
}

// MergePatch applies an RFC 7396 merge patch to current (any value that
// marshals to a JSON object) and strictly decodes the result into out.
// Absent fields stay as they are, null removes a field (its zero value,
// to which the caller applies defaults), and unknown fields are Invalid.
func MergePatch(current any, patch []byte, out any) error {
	var p any
	if len(bytes.TrimSpace(patch)) == 0 {
		return apperr.E(apperr.Malformed, "the request body is empty; want a JSON object")
	}
	if err := json.Unmarshal(patch, &p); err != nil {
		return decodeErr(err)
	}
	pm, ok := p.(map[string]any)
	if !ok {
		return apperr.E(apperr.Malformed, "a merge patch must be a JSON object")
	}
	curJSON, err := json.Marshal(current)
	if err != nil {
		return fmt.Errorf("merge patch: %w", err)
	}
	var cur map[string]any
	if err := json.Unmarshal(curJSON, &cur); err != nil {
		return fmt.Errorf("merge patch: %w", err)
	}
	merged, err := json.Marshal(mergeObject(cur, pm))
	if err != nil {
		return fmt.Errorf("merge patch: %w", err)
	}
	return Decode(merged, out)
}

// mergeObject implements RFC 7396 §2 for objects.
func mergeObject(target, patch map[string]any) map[string]any {
	if target == nil {
		target = map[string]any{}
	}
	for k, v := range patch {
		if v == nil {
			delete(target, k)
			continue
		}
		if pv, ok := v.(map[string]any); ok {
			tv, _ := target[k].(map[string]any)
			target[k] = mergeObject(tv, pv)
			continue
		}
		target[k] = v
	}
	return target
}
