package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"keycare/shared/domain"
	"keycare/shared/store"
	"keycare/shared/survey"
)

// surveyTexts are the words of the survey page.
type surveyTexts struct {
	Title, Intro, Overall, OverallHint, Recommend, RecommendHint, Comment, Submit,
	Thanks, ThanksMsg, Answered, AnsweredMsg, Expired, ExpiredMsg, Invalid, InvalidMsg string
	Aspects [3]string
}

var surveyWords = map[string]surveyTexts{
	"zh": {Title: "满意度调查", Intro: "感谢您抽出两分钟时间。您的意见将直接用于改进我们的服务。", Overall: "总体而言，您对我们的服务满意吗？",
		OverallHint: "1 = 非常不满意，5 = 非常满意", Recommend: "您有多大可能向同行推荐我们？", RecommendHint: "0 = 完全不可能，10 = 非常可能",
		Comment: "还有什么想告诉我们的？（选填）", Submit: "提交", Thanks: "感谢您的反馈", ThanksMsg: "我们已收到您的评价，会认真对待每一条意见。",
		Answered: "您已完成本次调查", AnsweredMsg: "感谢您的反馈！此链接只能使用一次。", Expired: "调查已结束", ExpiredMsg: "此调查链接已过期。如有意见，欢迎随时联系您的客户经理。",
		Invalid: "链接无效", InvalidMsg: "未找到此调查，请检查链接是否完整。", Aspects: [3]string{"响应速度（选填）", "产品与服务质量（选填）", "专业程度（选填）"}},
	"en": {Title: "Satisfaction survey", Intro: "Thank you for your two minutes. Your answers go straight into improving our service.",
		Overall: "Overall, how satisfied are you with our service?", OverallHint: "1 = very dissatisfied, 5 = very satisfied",
		Recommend: "How likely are you to recommend us to a colleague?", RecommendHint: "0 = not at all likely, 10 = extremely likely",
		Comment: "Anything else you would like to tell us? (optional)", Submit: "Send", Thanks: "Thank you", ThanksMsg: "We received your answers and will act on them.",
		Answered: "You have already answered", AnsweredMsg: "Thank you for your feedback! This link works once.", Expired: "This survey has closed",
		ExpiredMsg: "This survey link has expired. Your account manager is always glad to hear from you.", Invalid: "Link not valid",
		InvalidMsg: "We could not find this survey. Please check that the link is complete.", Aspects: [3]string{"Responsiveness (optional)", "Quality of products and service (optional)", "Professionalism (optional)"}},
}

// SurveyQueue receives answers for the processor.
type SurveyQueue interface {
	SendJSON(ctx context.Context, v any) error
}

// InvitationReader reads invitations.
type InvitationReader interface {
	GetInvitation(ctx context.Context, token string) (*domain.Invitation, error)
}

// PublicSurveys serves the survey page and its submission. Opening the page
// records nothing (mail scanners open links); only the POST counts, and it
// only queues the answer: the processor stores it.
type PublicSurveys struct {
	Store InvitationReader
	Queue SurveyQueue
	Now   func() time.Time
}

// Handler returns the routes of the PublicSurveysFunction.
func (h *PublicSurveys) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /s/{token}", h.page)
	mux.HandleFunc("POST /public/surveys/{token}", h.submit)
	mux.HandleFunc("/", notFound)
	return withLogging("public-surveys", mux)
}

type surveyPage struct {
	pageData
	S                surveyTexts
	State            string
	Token            string
	Heading, Message string
	Values, Errors   map[string]string
	Five, Eleven     []int
	Aspects          []struct{ Name, Label string }
}

func (h *PublicSurveys) invitation(r *http.Request) (*domain.Invitation, error) {
	tok := r.PathValue("token")
	if len(tok) < 20 || len(tok) > 100 || strings.ContainsAny(tok, "/?#%") {
		return nil, domain.ErrNotFound
	}
	return h.Store.GetInvitation(r.Context(), tok)
}

func (h *PublicSurveys) render(w http.ResponseWriter, r *http.Request, status int, l, state string, in *domain.Invitation, values, errs map[string]string) {
	s := surveyWords[l]
	p := surveyPage{pageData: newPage(r, l), S: s, State: state, Values: values, Errors: errs, Five: []int{1, 2, 3, 4, 5}, Eleven: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}
	p.T.Title = s.Title
	if in != nil {
		p.Token = in.Token
	}
	for i, name := range []string{"responsiveness", "quality", "professionalism"} {
		p.Aspects = append(p.Aspects, struct{ Name, Label string }{name, s.Aspects[i]})
	}
	switch state {
	case "thanks":
		p.Heading, p.Message = s.Thanks, s.ThanksMsg
	case string(domain.InvitationAnswered):
		p.Heading, p.Message = s.Answered, s.AnsweredMsg
	case string(domain.InvitationExpired):
		p.Heading, p.Message = s.Expired, s.ExpiredMsg
	case "invalid":
		p.Heading, p.Message = s.Invalid, s.InvalidMsg
	}
	renderPage(w, status, "survey.html", p)
}

func surveyLang(r *http.Request, in *domain.Invitation) string {
	if l := r.URL.Query().Get("lang"); l != "" {
		return lang(l)
	}
	if in != nil {
		return lang(in.Language)
	}
	return "zh"
}

func (h *PublicSurveys) page(w http.ResponseWriter, r *http.Request) {
	in, err := h.invitation(r)
	l := surveyLang(r, in)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		h.render(w, r, http.StatusNotFound, l, "invalid", nil, nil, nil)
	case err != nil:
		fail(w, r, err)
	default:
		state := in.State(h.Now())
		status := http.StatusOK
		if state == domain.InvitationExpired {
			status = http.StatusGone
		}
		h.render(w, r, status, l, string(state), in, map[string]string{}, nil)
	}
}

// SurveyAnswer is the body of POST /public/surveys/{token}.
type SurveyAnswer struct {
	Overall         int    `json:"overall"`
	Recommend       int    `json:"recommend"`
	Responsiveness  int    `json:"responsiveness"`
	Quality         int    `json:"quality"`
	Professionalism int    `json:"professionalism"`
	Comment         string `json:"comment"`
	Lang            string `json:"lang"`
}

func decodeSurveyAnswer(w http.ResponseWriter, r *http.Request) (SurveyAnswer, map[string]string, bool, error) {
	var a SurveyAnswer
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body := http.MaxBytesReader(w, r.Body, 16<<10)
	if mt == "application/x-www-form-urlencoded" {
		b, err := io.ReadAll(body)
		if err != nil {
			return a, nil, true, jsonError(err)
		}
		v, err := url.ParseQuery(string(b))
		if err != nil {
			return a, nil, true, badRequest("bad_form", "The form data could not be read. 无法读取表单数据。")
		}
		num := func(k string, missing int) int {
			s := v.Get(k)
			if s == "" {
				return missing
			}
			n, err := strconv.Atoi(s)
			if err != nil {
				return -99
			}
			return n
		}
		a = SurveyAnswer{Overall: num("overall", 0), Recommend: num("recommend", -1), Responsiveness: num("responsiveness", 0),
			Quality: num("quality", 0), Professionalism: num("professionalism", 0), Comment: v.Get("comment"), Lang: v.Get("lang")}
		values := map[string]string{"overall": v.Get("overall"), "recommend": v.Get("recommend"), "comment": v.Get("comment")}
		return a, values, true, nil
	}
	if mt != "application/json" && mt != "" {
		return a, nil, false, &decodeError{http.StatusUnsupportedMediaType, "unsupported_media_type", "Send JSON or a form. 请以 JSON 或表单提交。"}
	}
	a.Recommend = -1 // absent means not answered
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return a, nil, false, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return a, nil, false, badRequest("bad_json", "The body must hold one JSON object. 请求体只能包含一个 JSON 对象。")
	}
	return a, nil, false, nil
}

func (h *PublicSurveys) submit(w http.ResponseWriter, r *http.Request) {
	a, values, isForm, err := decodeSurveyAnswer(w, r)
	if err != nil {
		fail(w, r, err)
		return
	}
	in, err := h.invitation(r)
	l := lang(a.Lang)
	if a.Lang == "" {
		l = surveyLang(r, in)
	}
	if errors.Is(err, domain.ErrNotFound) {
		if isForm {
			h.render(w, r, http.StatusNotFound, l, "invalid", nil, nil, nil)
			return
		}
		writeError(w, http.StatusNotFound, "not_found", "No such survey. 未找到该调查。")
		return
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	now := h.Now().UTC()
	switch in.State(now) {
	case domain.InvitationExpired:
		if isForm {
			h.render(w, r, http.StatusGone, l, string(domain.InvitationExpired), in, nil, nil)
			return
		}
		writeError(w, http.StatusGone, "survey_expired", "This survey link has expired. 此调查链接已过期。")
		return
	case domain.InvitationAnswered:
		if isForm {
			h.render(w, r, http.StatusOK, l, string(domain.InvitationAnswered), in, nil, nil)
			return
		}
		writeError(w, http.StatusConflict, "survey_answered", "This survey was already answered. 此调查已完成。")
		return
	}
	ans := domain.Answer{Overall: a.Overall, Recommend: a.Recommend, Responsiveness: a.Responsiveness, Quality: a.Quality,
		Professionalism: a.Professionalism, Comment: a.Comment}
	if err := ans.Validate(); err != nil {
		if isForm {
			var ve *domain.ValidationError
			errors.As(err, &ve)
			h.render(w, r, http.StatusBadRequest, l, "open", in, values, ve.Fields)
			return
		}
		fail(w, r, err)
		return
	}
	if err := h.Queue.SendJSON(r.Context(), survey.Submission{Token: in.Token, Answer: ans, SubmittedAt: now}); err != nil {
		slog.ErrorContext(r.Context(), "survey answer not queued", "requestId", requestID(r), "err", err.Error())
		writeError(w, http.StatusServiceUnavailable, "try_again", "We could not take your answer just now; please send it again in a minute. 暂时无法提交，请稍后重试。")
		return
	}
	if isForm {
		h.render(w, r, http.StatusOK, l, "thanks", in, nil, nil)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted"})
}

// SurveyStore is what the staff survey routes read.
type SurveyStore interface {
	GetCustomer(ctx context.Context, id string) (*domain.Customer, error)
	Aggregates(ctx context.Context, scope, from, to string) ([]store.MonthAggregate, error)
	ListResponses(ctx context.Context, q store.ResponseQuery) (store.Page[store.Response], error)
}

// Inviter creates survey invitations.
type Inviter interface {
	Invite(ctx context.Context, r survey.InviteRequest) (*domain.Invitation, error)
}

// Surveys serves the staff survey routes.
type Surveys struct {
	Store   SurveyStore
	Inviter Inviter
	Now     func() time.Time
	Loc     *time.Location
	BaseURL string
}

// Handler returns the routes of the SurveysFunction.
func (h *Surveys) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /surveys/invitations", staff(h.invite))
	mux.HandleFunc("GET /surveys/responses", staff(h.responses))
	mux.HandleFunc("GET /customers/{id}/satisfaction", staff(h.satisfaction))
	mux.HandleFunc("/", notFound)
	return withLogging("surveys", mux)
}

func (h *Surveys) customer(r *http.Request, p domain.Principal, id string) (*domain.Customer, error) {
	return visibleCustomer(r.Context(), h.Store, p, id)
}

// InvitationInput is the body of POST /surveys/invitations.
type InvitationInput struct {
	CustomerID   string `json:"customerId"`
	Reason       string `json:"reason"`
	ContactEmail string `json:"contactEmail"`
}

// InvitationView is an invitation as staff see it (the token only here and in the mailed link).
type InvitationView struct {
	*domain.Invitation
	Link string `json:"link"`
}

func (h *Surveys) invite(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	var in InvitationInput
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		fail(w, r, err)
		return
	}
	reason := domain.SurveyReason(in.Reason)
	if reason == "" {
		reason = domain.SurveyManual
	}
	switch reason {
	case domain.SurveyManual, domain.SurveyAfterVisit, domain.SurveyAfterComplaint, domain.SurveyPeriodic:
	default:
		fail(w, r, &domain.ValidationError{Fields: map[string]string{"reason": "must be manual, visit, complaint or periodic 原因无效"}})
		return
	}
	if in.CustomerID == "" {
		fail(w, r, &domain.ValidationError{Fields: map[string]string{"customerId": "required 必填"}})
		return
	}
	c, err := h.customer(r, p, in.CustomerID)
	if errors.Is(err, domain.ErrNotFound) {
		fail(w, r, &domain.ValidationError{Fields: map[string]string{"customerId": "no such customer 客户不存在"}})
		return
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	base := baseURL(r, h.BaseURL)
	inv, err := h.Inviter.Invite(r.Context(), survey.InviteRequest{Customer: c, ContactEmail: in.ContactEmail, Reason: reason, By: p.Sub, BaseURL: base})
	if errors.Is(err, store.ErrRecentlySurveyed) {
		writeError(w, http.StatusConflict, "recently_surveyed", "This contact had a survey in the last 30 days. 该联系人 30 天内已接受过调查。")
		return
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, InvitationView{Invitation: inv, Link: survey.Link(base, inv.Token)})
}

func validMonth(s string) bool {
	_, err := time.Parse("2006-01", s)
	return err == nil && len(s) == 7
}

// Satisfaction is a customer's survey results over a range of months.
type Satisfaction struct {
	CustomerID string              `json:"customerId"`
	From       string              `json:"from"`
	To         string              `json:"to"`
	Months     []SatisfactionMonth `json:"months"`
	Total      SatisfactionMonth   `json:"total"`
	Target     float64             `json:"csatTarget"`
}

// SatisfactionMonth is one month's figures.
type SatisfactionMonth struct {
	Month string `json:"month,omitempty"`
	domain.Aggregate
	CSAT float64 `json:"csat"`
	NPS  float64 `json:"nps"`
}

func (h *Surveys) satisfaction(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	c, err := h.customer(r, p, r.PathValue("id"))
	if err != nil {
		fail(w, r, err)
		return
	}
	q := r.URL.Query()
	to, from := q.Get("to"), q.Get("from")
	now := h.Now().In(h.Loc)
	if to == "" {
		to = now.Format("2006-01")
	}
	if from == "" {
		from = now.AddDate(0, -11, 0).Format("2006-01")
	}
	ve := &domain.ValidationError{}
	if !validMonth(from) {
		ve.Add("from", "must be YYYY-MM 格式为 YYYY-MM")
	}
	if !validMonth(to) {
		ve.Add("to", "must be YYYY-MM 格式为 YYYY-MM")
	}
	if ve.Err() == nil && from > to {
		ve.Add("from", "must not be after to 起始月份不能晚于结束月份")
	}
	if err := ve.Err(); err != nil {
		fail(w, r, err)
		return
	}
	aggs, err := h.Store.Aggregates(r.Context(), "CUST#"+c.ID, from, to)
	if err != nil {
		fail(w, r, err)
		return
	}
	out := Satisfaction{CustomerID: c.ID, From: from, To: to, Months: []SatisfactionMonth{}, Target: domain.SatisfactionTarget}
	var total domain.Aggregate
	for _, g := range aggs {
		out.Months = append(out.Months, SatisfactionMonth{Month: g.Month, Aggregate: g.Aggregate, CSAT: g.CSAT(), NPS: g.NPS()})
		total.Merge(g.Aggregate)
	}
	out.Total = SatisfactionMonth{Aggregate: total, CSAT: total.CSAT(), NPS: total.NPS()}
	writeJSON(w, http.StatusOK, out)
}

func (h *Surveys) responses(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	v := r.URL.Query()
	q := store.ResponseQuery{Customer: v.Get("customer"), Month: v.Get("month"), Cursor: v.Get("cursor")}
	if q.Month != "" && !validMonth(q.Month) {
		fail(w, r, &domain.ValidationError{Fields: map[string]string{"month": "must be YYYY-MM 格式为 YYYY-MM"}})
		return
	}
	filter := func(store.Response) bool { return true }
	switch {
	case q.Customer != "":
		if _, err := h.customer(r, p, q.Customer); err != nil {
			fail(w, r, err)
			return
		}
	case q.Month == "":
		fail(w, r, &domain.ValidationError{Fields: map[string]string{"customer": "give customer= or month= 请指定客户或月份"}})
		return
	case p.HasAny(domain.RoleAdmin, domain.RoleExecutive):
	case p.Has(domain.RoleSupervisor):
		filter = func(x store.Response) bool { return x.Department == p.Department }
	case p.Has(domain.RoleManager):
		filter = func(x store.Response) bool { return x.ManagerID == p.Sub }
	default:
		fail(w, r, domain.Forbidden("your role has no access to survey answers"))
		return
	}
	page, err := h.Store.ListResponses(r.Context(), q)
	if err != nil {
		fail(w, r, err)
		return
	}
	out := store.Page[store.Response]{Items: []store.Response{}, NextCursor: page.NextCursor}
	for _, x := range page.Items {
		if filter(x) {
			out.Items = append(out.Items, x)
		}
	}
	writeJSON(w, http.StatusOK, out)
}
