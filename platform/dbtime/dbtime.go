// Package dbtime is how the platform's database keeps instants: UTC text in
// one fixed-width layout, so that text order is time order, SQLite's date
// functions understand them, and they read back Equal to what was written.
// The zero time is the empty string. The platform and its notify package
// share the tables, so they share this.
package dbtime

import (
	"fmt"
	"time"
)

// Layout is the stored form.
const Layout = "2006-01-02T15:04:05.000000000Z"

// Format is the one way an instant goes into the database.
func Format(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(Layout)
}

// Parse is the one way an instant comes out of the database.
func Parse(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(Layout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// Col scans a column written by Format into a time.Time.
type Col struct{ T *time.Time }

func (c Col) Scan(v any) error {
	var s string
	switch x := v.(type) {
	case nil:
	case string:
		s = x
	case []byte:
		s = string(x)
	default:
		return fmt.Errorf("stored time: unexpected %T", v)
	}
	t, err := Parse(s)
	if err != nil {
		return err
	}
	*c.T = t
	return nil
}
