package intake

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Excel stores a number typed into a cell as a binary float shown in the
// General format. That destroys identifiers made of digits in three ways,
// each of which the checks below catch:
//
//  1. Shown in scientific notation: 110101199001011234 becomes 1.10101E+17,
//     and a CSV saved from Excel keeps only that text.
//  2. Cut to 15 significant digits: an xlsx number cell holding an 18-digit
//     identity number has lost its last three digits.
//  3. Leading zeros dropped: the landline 0571-88889999 typed as 057188889999
//     becomes 57188889999.

// sciNotation matches a value shown in scientific notation.
var sciNotation = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?[Ee][+-]?[0-9]+$`)

// checkID reports a value of an identifier column (number, caller, phone)
// that Excel has turned into scientific notation. It returns "" for a good
// value.
func checkID(v string) string {
	if sciNotation.MatchString(v) {
		return "Excel turned this identifier into scientific notation and its digits are lost; format the column as text and export again"
	}
	return ""
}

// numberCell normalises the value of an xlsx number cell in an identifier
// column. An integer below 10^15 is written out in plain digits (a writer may
// have stored 2549 as "2549.0" or 1.3812345678E10); a larger one has lost
// digits and is reported; anything else is kept as stored.
func numberCell(raw string) (string, string) {
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || f != float64(int64(f)) {
		return raw, ""
	}
	if f >= 1e15 || f <= -1e15 {
		return raw, "Excel stored this identifier as a number, which keeps only 15 significant digits; format the column as text and export again"
	}
	return strconv.FormatInt(int64(f), 10), ""
}

// checkPhone reports a phone number that Excel damaged, or that cannot be a
// Chinese phone number as written. It returns "" for a good value.
//
// Only a value made of ASCII digits alone is judged, since that is the only
// form Excel changes (text with "-", spaces, "+", brackets, several numbers
// or words such as 无 is kept as written). Such a value must be one of:
//
//   - 3 to 8 digits not starting with 0: a service number (110, 12345, 95598)
//     or a local number without area code (88889999);
//   - 11 digits starting with 1: a mobile number;
//   - 10 to 12 digits starting with 0: a landline with its area code
//     (010 88889999, 0571 8888999, 0571 88889999);
//   - 10 digits starting with 400 or 800: a company hotline;
//   - 13 digits starting with 861: a mobile number with the country code.
//
// Anything else is reported. Of those, 9 to 11 digits not starting with 0
// are named as a landline that lost its leading 0, since a 0 in front makes
// them one: 57188889999 is 0571 88889999.
func checkPhone(v string) string {
	if msg := checkID(v); msg != "" {
		return msg
	}
	if v == "" || strings.Trim(v, "0123456789") != "" {
		return ""
	}
	n := len(v)
	switch {
	case n >= 3 && n <= 8 && v[0] != '0',
		n == 11 && v[0] == '1',
		n >= 10 && n <= 12 && v[0] == '0',
		n == 10 && (strings.HasPrefix(v, "400") || strings.HasPrefix(v, "800")),
		n == 13 && strings.HasPrefix(v, "861"):
		return ""
	case n >= 9 && n <= 11 && v[0] != '0':
		return fmt.Sprintf("not a Chinese phone number as written; probably the landline 0%s whose leading 0 Excel dropped: format the column as text and export again", v)
	}
	if n == 1 {
		return "not a Chinese phone number as written (1 digit)"
	}
	return fmt.Sprintf("not a Chinese phone number as written (%d digits)", n)
}
