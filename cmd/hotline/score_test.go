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
		{"[score]\nreply = -0.2", `%s:5: [score] reply = -0.2: a weight is a number of 0 or more, as in reply = 0.2`},
		{"[score]\nreopen = nan", `%s:5: [score] reopen = NaN: a weight is a number of 0 or more, as in reopen = 0.05`},
		{"[score]\non_time = inf", `%s:5: [score] on_time = +Inf: a weight is a number of 0 or more, as in on_time = 0.25`},
		{"[score]\nreply = 0\nclose = 0\non_time = 0\nsatisfaction = 0\nreturn = 0\nreopen = 0",
			`%s: [score] every weight is 0: give at least one weight above 0, or leave the weights out for the defaults`},
		// The file, the line, the key and what to write instead.
		{"[score]\nsatisfied = 1", `%s:5: unknown setting "score.satisfied": the [score] keys are reply, close, on_time, satisfaction, return, reopen`},
		{"[score]\nreply = 0.3\n\n  bogus = 1 # typo", `%s:7: unknown setting "score.bogus": the [score] keys are reply, close, on_time, satisfaction, return, reopen`},
		{"[score]\nreply = \"high\"", `%s:5: [score] reply = "high": a weight is a number of 0 or more, as in reply = 0.2`},
		{"[score]\nreply = \"a\"", `%s:5: [score] reply = "a": a weight is a number of 0 or more, as in reply = 0.2`},
		{"[keys]\n\"list.print\" = \"ctrl+p\"\n[score]\nclose = 0.2\n\"on_time\" = true", `%s:8: [score] on_time = true: a weight is a number of 0 or more, as in on_time = 0.25`},
		{"score.reopen = \"0.05\"\n[keys]\n", `%s:4: [score] reopen = "0.05": a weight is a number of 0 or more, as in reopen = 0.05`},
		{"score.return = 1\nscore.retrun = 1\n", `%s:5: unknown setting "score.retrun": the [score] keys are reply, close, on_time, satisfaction, return, reopen`},
		// A key of the same name in another table is not the score's.
		{"[keys]\nreply = \"r\"\n[score]\nreply = [1]", `%s:7: [score] reply = [1]: a weight is a number of 0 or more, as in reply = 0.2`},
	} {
		path := writeSettings(t, tt.body)
		_, err := loadSettings(path)
		want := strings.ReplaceAll(tt.want, "%s", path)
		if err == nil || err.Error() != want {
			t.Errorf("%q:\n got %v\nwant %s", tt.body, err, want)
		}
	}
}
