package main

import (
	"strings"
	"testing"

	"hotline/complaint"
)

func TestSettingsScore(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		want       complaint.Weights
	}{
		{"no section: the defaults", "", complaint.DefaultWeights},
		{"empty section: the defaults", "[score]\n", complaint.DefaultWeights},
		{"all six", "[score]\nreply = 1\nclose = 1\non_time = 2\nsatisfaction = 3.5\nreturn = 0\nreopen = 0.5\n",
			complaint.Weights{Reply: 1, Close: 1, OnTime: 2, Satisfaction: 3.5, Return: 0, Reopen: 0.5}},
		{"some: the rest keep their defaults", "[score]\nsatisfaction = 0.5\nreturn = 0\n",
			complaint.Weights{Reply: 0.2, Close: 0.2, OnTime: 0.25, Satisfaction: 0.5, Return: 0, Reopen: 0.05}},
	} {
		s, err := loadSettings(writeSettings(t, tt.body))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if s.Score != tt.want {
			t.Errorf("%s: score %+v, want %+v", tt.name, s.Score, tt.want)
		}
	}
}

func TestSettingsScoreErrors(t *testing.T) {
	for _, tt := range []struct{ body, want string }{
		{"[score]\nreply = -0.2", `%s: [score] reply = -0.2: a weight is a number of 0 or more, as in reply = 0.2`},
		{"[score]\nreopen = nan", `%s: [score] reopen = NaN: a weight is a number of 0 or more, as in reopen = 0.05`},
		{"[score]\non_time = inf", `%s: [score] on_time = +Inf: a weight is a number of 0 or more, as in on_time = 0.25`},
		{"[score]\nreply = 0\nclose = 0\non_time = 0\nsatisfaction = 0\nreturn = 0\nreopen = 0",
			`%s: [score] every weight is 0: give at least one weight above 0, or leave the weights out for the defaults`},
		{"[score]\nsatisfied = 1", `%s: unknown setting "score.satisfied"`},
		{"[score]\nreply = \"high\"", `%s: toml: line 5 (last key "score.reply"): incompatible types: TOML value has type string; destination has type float`},
	} {
		path := writeSettings(t, tt.body)
		_, err := loadSettings(path)
		want := strings.ReplaceAll(tt.want, "%s", path)
		if err == nil || err.Error() != want {
			t.Errorf("%q:\n got %v\nwant %s", tt.body, err, want)
		}
	}
}
