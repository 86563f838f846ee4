package crm

import (
	"errors"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

// mergeInvalid joins two validation errors into one listing every field.
func mergeInvalid(a, b error) error {
	if a == nil {
		return b
	}
	var ea, eb *apperr.Error
	if !errors.As(a, &ea) || !errors.As(b, &eb) || ea.Kind != apperr.Invalid || eb.Kind != apperr.Invalid {
		return a
	}
	fs := append(append(apperr.Fields{}, ea.Fields...), eb.Fields...)
	return fs.Err()
}
