package platform

import (
	"context"
	"errors"
	"testing"
)

func TestMobilePhone(t *testing.T) {
	const want = `: want a mobile number, 11 digits starting with 1 (13812345678), or + with the country code (+85291234567); spaces and dashes are allowed`
	for in, out := range map[string]string{
		"":                  "",
		"13812345678":       "13812345678",
		"138 1234 5678":     "13812345678",
		"138-1234-5678":     "13812345678",
		"+86 138 1234 5678": "13812345678",
		"+852 9123 4567":    "+85291234567",
		"+447911123456":     "+447911123456",
		"abc<>":             `invalid phone "abc<>"` + want,
		"1381234567":        `invalid phone "1381234567"` + want,
		"23812345678":       `invalid phone "23812345678"` + want,
		"0571-88881234":     `invalid phone "0571-88881234"` + want,
		"+86 0571 8888123":  `invalid phone "+86 0571 8888123"` + want,
		"+1234567890123456": `invalid phone "+1234567890123456"` + want,
		"+":                 `invalid phone "+"` + want,
		"138１２３45678":       `invalid phone "138１２３45678"` + want,
	} {
		got, err := MobilePhone(in)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%q: %v is not ErrInvalid", in, err)
			}
			got = err.Error()
		}
		if got != out {
			t.Errorf("MobilePhone(%q) = %q, want %q", in, got, out)
		}
	}
}

func TestSetPhone(t *testing.T) {
	db := openFixture(t)
	ctx := context.Background()
	phone := func(login string) string {
		t.Helper()
		us, err := db.Users(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range us {
			if u.Login == login {
				return u.Phone
			}
		}
		t.Fatalf("no user %s", login)
		return ""
	}
	if err := db.SetPhone(ctx, "duty1", "+86 139-0000-0001"); err != nil {
		t.Fatal(err)
	}
	if p := phone("duty1"); p != "13900000001" {
		t.Errorf("phone %q", p)
	}
	if err := db.SetPhone(ctx, "duty1", "abc<>"); !errors.Is(err, ErrInvalid) || phone("duty1") != "13900000001" {
		t.Errorf("bad number: %v, phone now %q", err, phone("duty1"))
	}
	if err := db.SetPhone(ctx, "nobody", "13900000001"); !errors.Is(err, ErrUnknown) || err.Error() != `set phone: unknown user "nobody"` {
		t.Errorf("unknown user: %v", err)
	}
	if err := db.SetPhone(ctx, "duty1", ""); err != nil || phone("duty1") != "" {
		t.Errorf("clear: %v, phone now %q", err, phone("duty1"))
	}
}
