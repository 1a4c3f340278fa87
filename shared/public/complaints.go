package public

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"keycare/shared/complaint"
	"keycare/shared/domain"
	"keycare/shared/httpx"
	"keycare/shared/mail"
)

// ComplaintService is what the public complaint routes call.
type ComplaintService interface {
	Submit(ctx context.Context, in complaint.Intake) (complaint.Submitted, error)
	Track(ctx context.Context, number, token string) (*domain.Complaint, error)
}

// Keys gives the stack's keys; the form token uses the "form" key.
type Keys interface {
	Key(ctx context.Context, use string) ([]byte, error)
}

// Settings gives the settings in force (the public form's limits).
type Settings interface {
	Current(ctx context.Context) (domain.Settings, error)
}

// Complaints serves the public complaint routes (PublicComplaintsFunction):
// the web form, the submission and the tracking page. No login;
// validated, size-limited, protected against double submission, bots
// (honeypot, signed form token) and floods (per-client limits).
type Complaints struct {
	Service  ComplaintService
	Keys     Keys
	Settings Settings
	Now      func() time.Time
	BaseURL  string // public base URL for links; from the request when empty
}

// MaxPublicBody bounds a public submission (5,000 characters of description fit with room).
const MaxPublicBody = 64 << 10

// Router returns the routes of PublicComplaintsFunction.
func (h *Complaints) Router() *httpx.Router {
	rt := httpx.NewRouter("public-complaints")
	rt.HandleFunc("GET /complaint-form", h.form)
	rt.HandleFunc("POST /public/complaints", h.submit)
	rt.HandleFunc("GET /public/complaints/{number}", h.track)
	return rt
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (h *Complaints) trackingURL(r *http.Request, number, token, l string) string {
	return complaint.TrackingURL(httpx.BaseURL(r, h.BaseURL), number, token, l)
}

// formToken is a fresh signed form token (domain.FormToken).
func (h *Complaints) formToken(ctx context.Context) (string, error) {
	k, err := h.Keys.Key(ctx, "form")
	if err != nil {
		return "", err
	}
	return domain.FormToken(k, h.Now()), nil
}

func (h *Complaints) form(w http.ResponseWriter, r *http.Request) {
	l := lang(r.URL.Query().Get("lang"))
	ft, err := h.formToken(r.Context())
	if err != nil {
		failForm(w, r, l, err)
		return
	}
	set, err := h.Settings.Current(r.Context())
	if err != nil {
		failForm(w, r, l, err)
		return
	}
	renderPage(w, http.StatusOK, "form.html", formPage(r, l, set, map[string]string{}, nil, newToken(), ft))
}

// clientIP is the source IP API Gateway reports (locally: the TCP peer).
func clientIP(r *http.Request) string {
	if gw, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok && gw.HTTP.SourceIP != "" {
		return gw.HTTP.SourceIP
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// ComplaintForm is a public submission, as JSON or as form fields.
type ComplaintForm struct {
	CustomerName   string `json:"customerName"`
	ContactName    string `json:"contactName"`
	Phone          string `json:"phone"`
	Email          string `json:"email"`
	Category       string `json:"category"`
	Request        string `json:"request"`
	Description    string `json:"description"`
	ProductType    string `json:"productType"` // product-quality complaints (optional)
	ProductBatch   string `json:"productBatch"`
	ProducedOn     string `json:"producedOn"`
	ArrivedOn      string `json:"arrivedOn"`
	Website        string `json:"website"` // honeypot: people leave it empty
	IdempotencyKey string `json:"idempotencyKey"`
	Lang           string `json:"lang"`
	FormToken      string `json:"-"` // form posts: the page's signed token
}

func (f ComplaintForm) values() map[string]string {
	return map[string]string{"customerName": f.CustomerName, "contactName": f.ContactName, "phone": f.Phone, "email": f.Email,
		"category": f.Category, "request": f.Request, "description": f.Description,
		"productType": f.ProductType, "productBatch": f.ProductBatch, "producedOn": f.ProducedOn, "arrivedOn": f.ArrivedOn}
}

func (f ComplaintForm) fingerprint() string {
	b, _ := json.Marshal([]string{f.CustomerName, f.ContactName, f.Phone, f.Email, f.Category, f.Request, f.Description, f.ProductType, f.ProductBatch, f.ProducedOn, f.ArrivedOn})
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// product is the form's product details, when the sender gave any.
func (f ComplaintForm) product() *domain.Product {
	p := &domain.Product{Type: clean(f.ProductType), Batch: clean(f.ProductBatch), ProducedOn: clean(f.ProducedOn), ArrivedOn: clean(f.ArrivedOn)}
	if *p == (domain.Product{}) {
		return nil
	}
	return p
}

// publicField maps the record card's field names to the form's.
var publicField = map[string]string{"contact.name": "contactName", "contact.phone": "phone", "contact.email": "email",
	"product.type": "productType", "product.batch": "productBatch", "product.producedOn": "producedOn", "product.arrivedOn": "arrivedOn", "product": "productType"}

func clean(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }

// decodeComplaintForm reads JSON or a urlencoded form; isForm tells which.
func decodeComplaintForm(w http.ResponseWriter, r *http.Request) (f ComplaintForm, isForm bool, err error) {
	mt, _, perr := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if perr != nil {
		mt = ""
	}
	body := http.MaxBytesReader(w, r.Body, MaxPublicBody)
	switch mt {
	case "application/x-www-form-urlencoded":
		b, err := io.ReadAll(body)
		if err != nil {
			return f, true, httpx.JSONError(err)
		}
		v, err := url.ParseQuery(string(b))
		if err != nil {
			return f, true, httpx.BadRequest("bad_form", "The form data could not be read. 无法读取表单数据。")
		}
		f = ComplaintForm{CustomerName: v.Get("customerName"), ContactName: v.Get("contactName"), Phone: v.Get("phone"), Email: v.Get("email"),
			Category: v.Get("category"), Request: v.Get("request"), Description: v.Get("description"), Website: v.Get("website"),
			ProductType: v.Get("productType"), ProductBatch: v.Get("productBatch"), ProducedOn: v.Get("producedOn"), ArrivedOn: v.Get("arrivedOn"),
			IdempotencyKey: v.Get("idempotencyKey"), Lang: v.Get("lang"), FormToken: v.Get("formToken")}
		if f.Category != string(domain.CategoryProduct) {
			// The product fields are on the page for every category (hidden
			// unless product is chosen, where the browser can): what was
			// typed there before choosing another category is not sent on.
			f.ProductType, f.ProductBatch, f.ProducedOn, f.ArrivedOn = "", "", "", ""
		}
		return f, true, nil
	case "application/json", "":
		return f, false, httpx.DecodeJSONBody(body, &f)
	}
	return f, false, &httpx.Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Msg: "Send JSON or a form. 请以 JSON 或表单提交。"}
}

// SubmitResponse is the JSON answer to a public submission.
type SubmitResponse struct {
	Number             string    `json:"number"`
	TrackingURL        string    `json:"trackingUrl"`
	ReceivedAt         time.Time `json:"receivedAt"`
	FirstResponseDueAt time.Time `json:"firstResponseDueAt"`
	DueAt              time.Time `json:"dueAt"`
}

func (h *Complaints) submit(w http.ResponseWriter, r *http.Request) {
	f, isForm, err := decodeComplaintForm(w, r)
	l := lang(f.Lang)
	if f.Lang == "" {
		l = lang(r.URL.Query().Get("lang"))
	}
	fail := func(err error) {
		if isForm {
			failForm(w, r, l, err)
			return
		}
		httpx.Fail(w, r, err)
	}
	if err != nil {
		fail(err)
		return
	}
	key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if key == "" {
		key = strings.TrimSpace(f.IdempotencyKey)
	}
	if key != "" && (len(key) > 128 || !domain.ValidID(strings.ReplaceAll(key, "~", "."))) {
		fail(httpx.BadRequest("bad_idempotency_key", "Idempotency-Key must be 1–128 letters, digits or -_. characters. 幂等键格式无效。"))
		return
	}
	c := &domain.Complaint{CustomerName: clean(f.CustomerName), Contact: domain.Contact{Name: clean(f.ContactName), Phone: clean(f.Phone),
		Email: clean(f.Email), Language: l}, Channel: domain.ChannelWeb, Category: domain.Category(f.Category), Severity: domain.SeverityNormal,
		Request: domain.Request(f.Request), Description: clean(f.Description), Language: l, Product: f.product()}
	if isForm {
		// A browser post carries the page's signed token, neither at once
		// nor a day later: show the form again, as filled in, to send again.
		set, err := h.Settings.Current(r.Context())
		if err != nil {
			fail(err)
			return
		}
		k, err := h.Keys.Key(r.Context(), "form")
		if err != nil {
			fail(err)
			return
		}
		if set.Public.CheckFormToken(k, f.FormToken, h.Now()) != nil {
			check := *c
			var fields map[string]string
			if ve, ok := check.ValidateNew().(*domain.ValidationError); ok {
				fields = publicFields(ve)
			}
			h.reshow(w, r, l, f, fields, key, errorWords[l]["form_token"][1])
			return
		}
	}
	if strings.TrimSpace(f.Website) != "" {
		slog.InfoContext(r.Context(), "honeypot", "requestId", httpx.RequestID(r))
	}
	res, err := h.Service.Submit(r.Context(), complaint.Intake{Complaint: c, IdempotencyKey: key, Fingerprint: f.fingerprint(),
		BaseURL: httpx.BaseURL(r, h.BaseURL), ClientIP: clientIP(r), Honeypot: strings.TrimSpace(f.Website) != ""})
	var ve *domain.ValidationError
	var limited *domain.LimitedError
	switch {
	case errors.As(err, &ve):
		if isForm {
			h.reshow(w, r, l, f, publicFields(ve), key, "")
			return
		}
		httpx.Fail(w, r, &domain.ValidationError{Fields: publicFields(ve)})
		return
	case errors.As(err, &limited):
		secs := int(math.Ceil(limited.RetryAfter.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		if isForm {
			renderError(w, r, http.StatusTooManyRequests, l, "too_many", waitText(limited.RetryAfter, l))
			return
		}
		httpx.WriteError(w, http.StatusTooManyRequests, "too_many_requests",
			fmt.Sprintf("Too many submissions from this client; try again in %d s. 提交过于频繁，请 %d 秒后再试。", secs, secs))
		return
	case err != nil:
		fail(err)
		return
	}
	if isForm {
		// A relative Location (http.Redirect would make it absolute from the
		// path the handler sees, without a custom domain's base path).
		loc := root(r) + "public/complaints/" + url.PathEscape(res.Number) + "?new=1"
		if u, err := url.Parse(res.TrackingURL); err == nil {
			loc += "&" + u.RawQuery
		}
		w.Header().Set("Location", loc)
		w.WriteHeader(http.StatusSeeOther)
		return
	}
	status := http.StatusCreated
	if res.Replayed {
		status = http.StatusOK
	}
	httpx.WriteJSON(w, status, SubmitResponse{Number: res.Number, TrackingURL: res.TrackingURL, ReceivedAt: res.ReceivedAt,
		FirstResponseDueAt: res.FirstResponseDue, DueAt: res.CloseDue})
}

// publicFields names the card's fields as the form does.
func publicFields(ve *domain.ValidationError) map[string]string {
	fields := map[string]string{}
	for k, v := range ve.Fields {
		if p, ok := publicField[k]; ok {
			k = p
		}
		fields[k] = v
	}
	return fields
}

// reshow shows the form again as it was filled in, with the fields'
// problems and a notice, a fresh form token and status 400.
func (h *Complaints) reshow(w http.ResponseWriter, r *http.Request, l string, f ComplaintForm, fields map[string]string, key, notice string) {
	ft, err := h.formToken(r.Context())
	if err != nil {
		failForm(w, r, l, err)
		return
	}
	set, err := h.Settings.Current(r.Context())
	if err != nil {
		failForm(w, r, l, err)
		return
	}
	d := formPage(r, l, set, f.values(), localizeErrors(fields, f, l), key, ft)
	d.Notice = notice
	renderPage(w, http.StatusBadRequest, "form.html", d)
}

// waitText says how long to wait, in the visitor's language.
func waitText(d time.Duration, l string) string {
	if d >= 2*time.Hour {
		h := int(math.Ceil(d.Hours()))
		if l == "en" {
			return fmt.Sprintf("%d hours", h)
		}
		return fmt.Sprintf("%d 小时", h)
	}
	m := max(int(math.Ceil(d.Minutes())), 1)
	if l == "en" {
		if m == 1 {
			return "a minute"
		}
		return fmt.Sprintf("%d minutes", m)
	}
	return fmt.Sprintf("%d 分钟", m)
}

// localizeErrors turns the domain's bilingual messages into the form's own words.
func localizeErrors(fields map[string]string, f ComplaintForm, l string) map[string]string {
	m := fieldMessages[l]
	out := map[string]string{}
	for k := range fields {
		switch {
		case (k == "phone" || k == "email") && f.Phone == "" && f.Email == "":
			out[k] = m["contact"]
		case k == "phone":
			out[k] = m["phone"]
		case k == "email":
			out[k] = m["email"]
		case k == "category":
			out[k] = m["category"]
		case k == "request":
			out[k] = m["request"]
		case k == "description" && utf8.RuneCountInString(f.Description) > domain.MaxDescription:
			out[k] = m["tooLong"]
		case k == "arrivedOn" && domain.ValidDate(strings.TrimSpace(f.ArrivedOn)):
			out[k] = m["arrivedBefore"]
		case k == "producedOn" || k == "arrivedOn":
			out[k] = m["date"]
		case k == "productType" || k == "productBatch":
			out[k] = m["text"]
		default:
			out[k] = m["required"]
		}
	}
	return out
}

func replyText(c *domain.Complaint) string {
	if c.Reply == nil {
		return ""
	}
	return c.Reply.Text
}

// TrackingView is what the tracking token entitles to see.
type TrackingView struct {
	Number             string                 `json:"number"`
	Status             domain.ComplaintStatus `json:"status"`
	StatusLabel        string                 `json:"statusLabel"`
	ReceivedAt         time.Time              `json:"receivedAt"`
	FirstResponseDueAt time.Time              `json:"firstResponseDueAt"`
	DueAt              time.Time              `json:"dueAt"`
	Steps              []TrackingStep         `json:"steps"`
	RejectReason       string                 `json:"rejectReason,omitempty"`
	Reply              string                 `json:"reply,omitempty"`
	// Late lists the deadlines missed (first-response, opinion, close) and
	// ReplyBy when the customer will hear from us; absent when on time.
	Late    []domain.PendingDeadline `json:"late,omitempty"`
	ReplyBy *time.Time               `json:"replyBy,omitempty"`
}

// TrackingStep is one step as the customer sees it (no staff names).
type TrackingStep struct {
	Action domain.Action `json:"action"`
	Label  string        `json:"label"`
	At     time.Time     `json:"at"`
}

func (h *Complaints) track(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	l := lang(q.Get("lang"))
	number, token := r.PathValue("number"), q.Get("token")
	c, err := h.Service.Track(r.Context(), number, token)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		if wantsHTML(r) {
			failForm(w, r, l, err)
			return
		}
		httpx.Fail(w, r, err)
		return
	}
	if c == nil { // unknown number and wrong token look the same
		if wantsHTML(r) {
			renderPage(w, http.StatusNotFound, "notfound.html", newPage(r, l))
			return
		}
		httpx.WriteError(w, http.StatusNotFound, "not_found", "No such complaint. 未找到该投诉。")
		return
	}
	v := TrackingView{Number: c.Number, Status: c.Status, StatusLabel: c.Status.Label(l), ReceivedAt: c.ReceivedAt,
		FirstResponseDueAt: c.Deadlines.FirstResponseDue, DueAt: c.Deadlines.CloseDue, RejectReason: c.RejectReason, Reply: replyText(c)}
	for _, s := range c.History {
		v.Steps = append(v.Steps, TrackingStep{Action: s.Action, Label: actionLabels[l][s.Action], At: s.At})
	}
	if v.Late = c.Late(h.Now()); len(v.Late) > 0 {
		by := c.LateReplyBy(h.Now())
		v.ReplyBy = &by
	}
	if !wantsHTML(r) {
		httpx.WriteJSON(w, http.StatusOK, v)
		return
	}
	loc := c.SLA.Location()
	f := func(t time.Time) string { return mail.When(t, loc, l) }
	type step struct{ ISO, When, Label string }
	data := struct {
		pageData
		C                            *domain.Complaint
		New                          bool
		TrackingURL, StatusLabel     string
		Received, FirstDue, CloseDue string
		Steps                        []step
		Late                         []string // what is late, each with its missed deadline
		LateSorry, LateCall          string
	}{pageData: newPage(r, l), C: c, New: q.Get("new") == "1", TrackingURL: h.trackingURL(r, c.Number, token, l), StatusLabel: v.StatusLabel,
		Received: f(c.ReceivedAt), FirstDue: f(c.Deadlines.FirstResponseDue), CloseDue: f(c.Deadlines.CloseDue)}
	// Past a deadline the page says what is late, apologises and says when
	// the customer will hear from us, instead of a green "Received".
	now := h.Now()
	for _, d := range v.Late {
		msg := map[string]string{domain.DeadlineFirstResponse: data.T.LateFirstResponse, domain.DeadlineOpinion: data.T.LateOpinion,
			domain.DeadlineClose: data.T.LateClose}[d.Kind]
		data.Late = append(data.Late, fmt.Sprintf(msg, f(d.Due)))
	}
	if len(data.Late) > 0 {
		data.LateSorry = fmt.Sprintf(data.T.LateSorry, f(c.LateReplyBy(now)))
		if set, err := h.Settings.Current(r.Context()); err == nil && set.Brand.Hotline != "" {
			data.LateCall = fmt.Sprintf(data.T.LateCall, set.Brand.Hotline)
		}
	}
	for _, s := range v.Steps {
		data.Steps = append(data.Steps, step{ISO: s.At.Format(time.RFC3339), When: f(s.At), Label: s.Label})
	}
	renderPage(w, http.StatusOK, "track.html", data)
}
