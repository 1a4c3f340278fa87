package public

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
	"keycare/shared/httpx"
	"keycare/shared/mail"
	"keycare/shared/survey"
)

// surveyTexts are the words of the survey page.
type surveyTexts struct {
	Title, Intro, Overall, OverallHint, Recommend, RecommendHint, Comment, Submit,
	Thanks, ThanksMsg, Answered, AnsweredMsg, Expired, ExpiredMsg, Invalid, InvalidMsg string
	Aspects [3]string
	// Field errors, in the page's language alone.
	ErrOverall, ErrRecommend, ErrAspect, ErrComment string
	// Short names the error summary gives the fields, in surveyFields' order.
	Short [6]string
}

var surveyWords = map[string]surveyTexts{
	"zh": {Title: "满意度调查", Intro: "感谢您抽出两分钟时间。您的意见将直接用于改进我们的服务。", Overall: "总体而言，您对我们的服务满意吗？",
		OverallHint: "1 = 非常不满意，5 = 非常满意", Recommend: "您有多大可能向同行推荐我们？", RecommendHint: "0 = 完全不可能，10 = 非常可能",
		Comment: "还有什么想告诉我们的？（选填）", Submit: "提交", Thanks: "感谢您的反馈", ThanksMsg: "我们已收到您的评价，会认真对待每一条意见。",
		Answered: "您已完成本次调查", AnsweredMsg: "感谢您的反馈！此链接只能使用一次。", Expired: "调查已结束", ExpiredMsg: "此调查链接已过期。如有意见，欢迎随时联系您的客户经理。",
		Invalid: "链接无效", InvalidMsg: "未找到此调查，请检查链接是否完整。", Aspects: [3]string{"响应速度（选填）", "产品与服务质量（选填）", "专业程度（选填）"},
		ErrOverall: "请选择 1–5 分。", ErrRecommend: "请选择 0–10 分。", ErrAspect: "请选择 1–5 分，或不选。", ErrComment: "意见不能超过 2000 字，且不能含有无法识别的字符。",
		Short: [6]string{"总体满意度", "推荐意愿", "响应速度", "产品与服务质量", "专业程度", "意见"}},
	"en": {Title: "Satisfaction survey", Intro: "Thank you for your two minutes. Your answers go straight into improving our service.",
		Overall: "Overall, how satisfied are you with our service?", OverallHint: "1 = very dissatisfied, 5 = very satisfied",
		Recommend: "How likely are you to recommend us to a colleague?", RecommendHint: "0 = not at all likely, 10 = extremely likely",
		Comment: "Anything else you would like to tell us? (optional)", Submit: "Send", Thanks: "Thank you", ThanksMsg: "We received your answers and will act on them.",
		Answered: "You have already answered", AnsweredMsg: "Thank you for your feedback! This link works once.", Expired: "This survey has closed",
		ExpiredMsg: "This survey link has expired. Your account manager is always glad to hear from you.", Invalid: "Link not valid",
		InvalidMsg: "We could not find this survey. Please check that the link is complete.", Aspects: [3]string{"Responsiveness (optional)", "Quality of products and service (optional)", "Professionalism (optional)"},
		ErrOverall: "Choose a score from 1 to 5.", ErrRecommend: "Choose a score from 0 to 10.", ErrAspect: "Choose a score from 1 to 5, or none.",
		ErrComment: "At most 2,000 characters, without characters we cannot read.",
		Short:      [6]string{"Overall satisfaction", "Likelihood to recommend", "Responsiveness", "Quality", "Professionalism", "Comment"}},
}

// SurveyQueue receives answers for the processor.
type SurveyQueue interface {
	SendJSON(ctx context.Context, v any) error
}

// InvitationReader reads invitations.
type InvitationReader interface {
	GetInvitation(ctx context.Context, token string) (*domain.Invitation, error)
}

// AnswerKeeper keeps an answer the survey queue could not take, for the
// hourly run to queue.
type AnswerKeeper interface {
	KeepAnswer(ctx context.Context, a domain.KeptAnswer) error
}

// Surveys serves the survey page and its submission (PublicSurveysFunction). Opening the page
// records nothing (mail scanners open links); only the POST counts, and it
// only queues the answer: the processor stores it.
type Surveys struct {
	Store InvitationReader
	Queue SurveyQueue
	Keep  AnswerKeeper // when the queue is down
	Now   func() time.Time
}

// Router returns the routes of PublicSurveysFunction.
func (h *Surveys) Router() *httpx.Router {
	rt := httpx.NewRouter("public-surveys")
	rt.HandleFunc("GET /s/{token}", h.page)
	rt.HandleFunc("POST /public/surveys/{token}", h.submit)
	return rt
}

type surveyPage struct {
	pageData
	S                surveyTexts
	State            string
	Token            string
	Heading, Message string
	Values, Errors   map[string]string
	ErrorList        []struct{ ID, Label, Msg string } // in the page's order, each linked to its first choice
	Five, Eleven     []int
	Aspects          []struct{ Name, Label, Value, Error string }
}

// surveyFields are the survey's fields in the page's order.
var surveyFields = []string{"overall", "recommend", "responsiveness", "quality", "professionalism", "comment"}

// surveyErrors puts the domain's field errors in the page's words: the
// domain's messages carry both languages, a page shows one.
func surveyErrors(fields map[string]string, s surveyTexts) map[string]string {
	out := map[string]string{}
	for k := range fields {
		switch k {
		case "overall":
			out[k] = s.ErrOverall
		case "recommend":
			out[k] = s.ErrRecommend
		case "comment":
			out[k] = s.ErrComment
		default:
			out[k] = s.ErrAspect
		}
	}
	return out
}

func (h *Surveys) invitation(r *http.Request) (*domain.Invitation, error) {
	tok := r.PathValue("token")
	if len(tok) < 20 || len(tok) > 100 || strings.ContainsAny(tok, "/?#%") {
		return nil, domain.ErrNotFound
	}
	return h.Store.GetInvitation(r.Context(), tok)
}

func (h *Surveys) render(w http.ResponseWriter, r *http.Request, status int, l, state string, in *domain.Invitation, values, errs map[string]string) {
	s := surveyWords[l]
	p := surveyPage{pageData: newPage(r, l), S: s, State: state, Values: values, Errors: errs, Five: []int{1, 2, 3, 4, 5}, Eleven: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}
	p.T.Title = s.Title
	if in != nil {
		p.Token = in.Token
	}
	p.Errors = surveyErrors(errs, s)
	for i, name := range []string{"responsiveness", "quality", "professionalism"} {
		p.Aspects = append(p.Aspects, struct{ Name, Label, Value, Error string }{name, s.Aspects[i], values[name], p.Errors[name]})
	}
	first := map[string]string{"overall": "overall-1", "recommend": "recommend-0", "responsiveness": "responsiveness-1", "quality": "quality-1",
		"professionalism": "professionalism-1", "comment": "comment"}
	for i, f := range surveyFields {
		if m := p.Errors[f]; m != "" {
			p.ErrorList = append(p.ErrorList, struct{ ID, Label, Msg string }{first[f], s.Short[i], m})
		}
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

func (h *Surveys) page(w http.ResponseWriter, r *http.Request) {
	in, err := h.invitation(r)
	l := surveyLang(r, in)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		h.render(w, r, http.StatusNotFound, l, "invalid", nil, nil, nil)
	case err != nil:
		failForm(w, r, l, err) // the page is HTML, its errors too
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
			return a, nil, true, httpx.JSONError(err)
		}
		v, err := url.ParseQuery(string(b))
		if err != nil {
			return a, nil, true, httpx.BadRequest("bad_form", "The form data could not be read. 无法读取表单数据。")
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
		values := map[string]string{"overall": v.Get("overall"), "recommend": v.Get("recommend"), "responsiveness": v.Get("responsiveness"),
			"quality": v.Get("quality"), "professionalism": v.Get("professionalism"), "comment": v.Get("comment")}
		return a, values, true, nil
	}
	if mt != "application/json" && mt != "" {
		return a, nil, false, &httpx.Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Msg: "Send JSON or a form. 请以 JSON 或表单提交。"}
	}
	a.Recommend = -1 // absent means not answered
	if err := httpx.DecodeJSONBody(body, &a); err != nil {
		return a, nil, false, err
	}
	return a, nil, false, nil
}

func (h *Surveys) submit(w http.ResponseWriter, r *http.Request) {
	a, values, isForm, err := decodeSurveyAnswer(w, r)
	if err != nil {
		if isForm { // a browser shows a JSON body as text: an HTML page
			failForm(w, r, lang(r.URL.Query().Get("lang")), err)
			return
		}
		httpx.Fail(w, r, err)
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
		httpx.WriteError(w, http.StatusNotFound, "not_found", "No such survey. 未找到该调查。")
		return
	}
	if err != nil {
		if isForm {
			failForm(w, r, l, err)
			return
		}
		httpx.Fail(w, r, err)
		return
	}
	now := h.Now().UTC()
	switch in.State(now) {
	case domain.InvitationExpired:
		if isForm {
			h.render(w, r, http.StatusGone, l, string(domain.InvitationExpired), in, nil, nil)
			return
		}
		httpx.WriteError(w, http.StatusGone, "survey_expired", "This survey link has expired. 此调查链接已过期。")
		return
	case domain.InvitationAnswered:
		if isForm {
			h.render(w, r, http.StatusOK, l, string(domain.InvitationAnswered), in, nil, nil)
			return
		}
		httpx.WriteError(w, http.StatusConflict, "survey_answered", "This survey was already answered. 此调查已完成。")
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
		httpx.Fail(w, r, err)
		return
	}
	sub := survey.Submission{Token: in.Token, Answer: ans, SubmittedAt: now}
	if err := h.Queue.SendJSON(r.Context(), sub); err != nil {
		// The queue is down: keep the answer in the table; the hourly run
		// queues it. Only when that fails too is the customer asked to retry.
		b, _ := json.Marshal(sub)
		if kerr := h.Keep.KeepAnswer(r.Context(), domain.KeptAnswer{Token: in.Token, Payload: string(b), At: now}); kerr != nil {
			slog.ErrorContext(r.Context(), "survey answer neither queued nor kept", "requestId", httpx.RequestID(r), "code", mail.ErrorCode(err))
			if isForm {
				renderError(w, r, http.StatusServiceUnavailable, l, "unavailable")
				return
			}
			httpx.WriteError(w, http.StatusServiceUnavailable, "try_again", "We could not take your answer just now; please send it again in a minute. 暂时无法提交，请稍后重试。")
			return
		}
		slog.WarnContext(r.Context(), "survey answer kept for the hourly run", "requestId", httpx.RequestID(r), "code", mail.ErrorCode(err))
	}
	if isForm {
		h.render(w, r, http.StatusOK, l, "thanks", in, nil, nil)
		return
	}
	httpx.WriteJSON(w, http.StatusAccepted, map[string]string{"status": "accepted"})
}
