package complaint

import (
	"fmt"
	"strings"
	"unicode"
)

// Criteria are the five written review criteria: a reply is sent back when
// it fails any of them. Criterion n is Criteria[n-1].
var Criteria = []string{
	"未针对市民反映的具体问题答复，或答复不全面",
	"未说明向市民解释的内容及结果",
	"未采取有效措施",
	"缺少应有的依据（政策、法规、检测数据）",
	"未记录市民本人的意见",
}

// Finding is one criterion a reply looks likely to fail, with why.
type Finding struct {
	Criterion int    `json:"criterion"`
	Message   string `json:"message"`
}

// Precheck looks at a reply before it goes to review and says which criteria
// look unmet, so the handler can fix them first; the reviewer sees the same
// marks. It is a help, not a verdict: the reviewer decides.
func Precheck(t Ticket, r Reply) []Finding {
	var out []Finding
	all := strings.Join([]string{r.Text, r.Findings, r.Explanation, r.Measures, r.Basis, r.CitizenOpinion}, "\n")
	if strings.TrimSpace(all) == "" {
		out = append(out, Finding{1, "回复为空"})
	} else if terms := subjectTerms(t.Title); len(terms) > 0 {
		hit := false
		for _, term := range terms {
			hit = hit || strings.Contains(all, term)
		}
		if !hit {
			out = append(out, Finding{1, fmt.Sprintf("回复未提及诉求主题（%s）", strings.Join(terms[:min(3, len(terms))], "、"))})
		}
	}
	if blank(r.Explanation) {
		out = append(out, Finding{2, "“沟通解释结果”未填写"})
	}
	if blank(r.Measures) {
		out = append(out, Finding{3, "“采取措施”未填写"})
	}
	if blank(r.Basis) {
		out = append(out, Finding{4, "“处理依据”未填写"})
	}
	if blank(r.CitizenOpinion) {
		out = append(out, Finding{5, "“客户意见”未填写"})
	}
	return out
}

// subjectTerms are the two-character Chinese words of a title that a reply
// to it would be expected to repeat at least one of. Without a word list the
// title's Han bigrams stand in for its words; the common function words that
// say nothing of the subject are left out.
func subjectTerms(title string) []string {
	var terms []string
	seen := map[string]bool{}
	for _, run := range strings.FieldsFunc(title, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) {
		rs := []rune(run)
		for i := 0; i+1 < len(rs); i++ {
			w := string(rs[i : i+2])
			if seen[w] || strings.ContainsAny(w, stopChars) {
				continue
			}
			seen[w] = true
			terms = append(terms, w)
		}
	}
	return terms
}

// stopChars occur in titles without carrying their subject.
const stopChars = "的了是在有和与及对于关请问吗呢么怎什为何要求反映投诉希望建议"
