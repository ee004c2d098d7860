package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"hotline/platform/notify"
)

// decodeTOML reads channels.toml or a unit's notification settings into
// v. Every error names the file and, where it can be found, the line, and
// says what the key wants in words an administrator knows: the decoder's
// own text for a wrong type ("incompatible types: TOML value has type
// string; destination has type integer") is translated, and a key or table
// v has no field for is an error, since a misspelt setting silently ignored
// is one that does not take effect. It is a stricter sibling of
// cli.DecodeFile, which hotlined.toml is still read with.
func decodeTOML(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	text := strings.TrimPrefix(string(data), "\uFEFF")
	if line, ok := strayBOM(text); ok {
		return fmt.Errorf("%s:%d: a byte-order mark (U+FEFF) inside the file: save it as UTF-8 without BOM", path, line)
	}
	// where is path with the line of key: the decoder's when it gave one
	// (line > 0), else the one keyLine finds, if any.
	where := func(line int, key string) string {
		if line == 0 {
			line = keyLine(text, key)
		}
		if line > 0 {
			return fmt.Sprintf("%s:%d", path, line)
		}
		return path
	}
	md, err := toml.Decode(text, v)
	if err != nil {
		if pe, ok := err.(toml.ParseError); ok {
			// A value refused on the line of its key (a duration that is
			// not one) is said with the key.
			if pe.LastKey != "" && keyLine(text, pe.LastKey) == pe.Position.Line {
				return fmt.Errorf("%s:%d: %s: %s", path, pe.Position.Line, pe.LastKey, pe.Message)
			}
			return fmt.Errorf("%s:%d: %s", path, pe.Position.Line, pe.Message)
		}
		if m := badType.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			k := unquoteKey(m[2])
			return fmt.Errorf("%s: %s: want %s, not %s", where(line, k), k, wantType(m[4]), hasType(m[3]))
		}
		if m := notTable.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			k := unquoteKey(m[2])
			return fmt.Errorf("%s: %s: want %s, not %s", where(line, k), k, wantTable(reflect.TypeOf(v), k), hasType(m[3]))
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	// A value where a map's table belongs is dropped by the decoder
	// without a word (channel = "x"): the file would seem to be taken.
	for _, k := range md.Keys() {
		switch md.Type(k...) {
		case "Hash", "ArrayHash":
			continue
		}
		if t := destType(reflect.TypeOf(v), k); t != nil && t.Kind() == reflect.Map {
			return fmt.Errorf("%s: %s: want %s, not %s", where(0, k.String()), k, wantTable(reflect.TypeOf(v), k.String()), valueType(md.Type(k...)))
		}
	}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0].String()
		what := "setting"
		if md.Type(und[0]...) == "Hash" || md.Type(und[0]...) == "ArrayHash" {
			what = "table"
		}
		return fmt.Errorf("%s: unknown %s %q", where(0, k), what, k)
	}
	return nil
}

// unquoteKey is a key as the decoder's error quotes it, unquoted.
func unquoteKey(k string) string {
	if u, err := strconv.Unquote(`"` + k + `"`); err == nil {
		return u
	}
	return k
}

// badType reads the decoder's type error: line (0 or absent when it did
// not say), key, the value's Go type, the field's kind.
var badType = regexp.MustCompile(`^toml: (?:line (\d+) )?\(last key "(.*)"\): incompatible types: TOML value has type (.+); destination has type (.+)$`)

// notTable reads the decoder's error for a value where a struct's table
// belongs: line, key, the value's Go type.
var notTable = regexp.MustCompile(`^toml: (?:line (\d+) )?\(last key "(.*)"\): type mismatch for .+: expected table but found (.+)$`)

// tableHints say what goes in the tables of hotlined's files, by the Go
// type the table is decoded into.
var tableHints = map[reflect.Type]string{
	reflect.TypeFor[channel]():     "with kind = …",
	reflect.TypeFor[notify.Span](): `with from = "HH:MM" and to = "HH:MM"`,
}

// wantTable says what the dotted key wants in a file decoded into a value
// of type root: one table ([channel.sms]), a table of tables, one per name
// ([channel.NAME]), or a table of values ({ NAME = … }).
func wantTable(root reflect.Type, key string) string {
	t := destType(root, splitKey(key))
	if t == nil {
		return fmt.Sprintf("a table [%s]", key)
	}
	hint := func(t reflect.Type) string {
		if h := tableHints[t]; h != "" {
			return " " + h
		}
		return ""
	}
	if t.Kind() != reflect.Map {
		return fmt.Sprintf("a table [%s]%s", key, hint(t))
	}
	elem := t.Elem()
	for elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	if elem.Kind() == reflect.Struct {
		return fmt.Sprintf("tables [%s.NAME]%s", key, hint(elem))
	}
	return "a table { NAME = … }"
}

// destType is the Go type the dotted key of a file is decoded into, v
// being of type root, or nil when the key has no place there. Like the
// decoder, it matches fields by their toml tag or, without one, by name
// in any case, looks into embedded structs, and passes through pointers
// and the lists of [[tables]], whose keys carry no index.
func destType(root reflect.Type, key []string) reflect.Type {
	t := root
	for _, part := range key {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Map:
			t = t.Elem()
		case reflect.Struct:
			f, ok := tomlField(t, part)
			if !ok {
				return nil
			}
			t = f.Type
		default:
			return nil
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func tomlField(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		switch {
		case tag == "-" || !f.IsExported() && !f.Anonymous:
		case f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct:
			if g, ok := tomlField(f.Type, name); ok {
				return g, true
			}
		case tag != "":
			if tag == name {
				return f, true
			}
		case strings.EqualFold(f.Name, name):
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// valueType says a TOML value's type (MetaData.Type) in words.
func valueType(t string) string {
	switch t {
	case "String":
		return "a string"
	case "Integer":
		return "a whole number"
	case "Float":
		return "a number"
	case "Bool":
		return "true or false"
	case "Array":
		return "a list"
	case "Datetime":
		return "a date or time"
	}
	return t
}

func wantType(dst string) string {
	switch dst {
	case "integer":
		return "a whole number"
	case "float":
		return "a number"
	case "boolean":
		return "true or false"
	case "string", "primitive (string-like)":
		return "a string in quotes"
	case "slice":
		return "a list [...]"
	case "map":
		return "a table"
	}
	return dst
}

func hasType(src string) string {
	switch {
	case src == "string":
		return "a string"
	case strings.HasPrefix(src, "int"):
		return "a whole number"
	case strings.HasPrefix(src, "float"):
		return "a number"
	case src == "bool":
		return "true or false"
	case strings.HasPrefix(src, "[]map"):
		return "a list of tables"
	case strings.HasPrefix(src, "[]"):
		return "a list"
	case strings.HasPrefix(src, "map"):
		return "a table"
	case strings.HasPrefix(src, "time.") || strings.Contains(src, "Local"):
		return "a date or time"
	}
	return src
}

// strayBOM finds a byte-order mark after the start, where an editor that
// joined two files left it: the decoder only says it expected "=" there.
func strayBOM(text string) (int, bool) {
	i := strings.IndexRune(text, '\uFEFF')
	if i < 0 || !utf8.ValidString(text[:i]) {
		return 0, false
	}
	return strings.Count(text[:i], "\n") + 1, true
}

// keyLine is the line that sets the dotted key (channel."wecom@gdj".kind)
// or opens the table of that name, or 0: the file is read line by line,
// with the table each line is in.
func keyLine(text, key string) int {
	want := splitKey(key)
	var table []string
	sc := bufio.NewScanner(bytes.NewReader([]byte(text)))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "["):
			h := strings.TrimPrefix(strings.TrimPrefix(line, "["), "[")
			if i := strings.Index(h, "]"); i >= 0 {
				h = h[:i]
			}
			table = splitKey(h)
			if equalKeys(table, want) {
				return n
			}
		default:
			k, _, ok := strings.Cut(line, "=")
			if !ok || strings.HasPrefix(line, "#") {
				continue
			}
			// The key itself, a parent set inline (quiet = { from = … }),
			// or the first key set in the table sought, as a dotted key.
			full := append(append([]string{}, table...), splitKey(k)...)
			if n0 := min(len(full), len(want)); equalKeys(full[:n0], want[:n0]) && (len(full) <= len(want) || len(table) < len(want)) {
				return n
			}
		}
	}
	return 0
}

// splitKey splits a dotted TOML key into its parts, quotes taken off.
func splitKey(k string) []string {
	var parts []string
	var b strings.Builder
	quote := rune(0)
	for _, r := range strings.TrimSpace(k) {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			b.WriteRune(r)
		case r == '"' || r == '\'':
			quote = r
		case r == '.':
			parts = append(parts, strings.TrimSpace(b.String()))
			b.Reset()
		case r == ' ' || r == '\t':
		default:
			b.WriteRune(r)
		}
	}
	return append(parts, strings.TrimSpace(b.String()))
}

func equalKeys(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
