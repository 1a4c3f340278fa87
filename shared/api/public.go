package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"keycare/shared/domain"
	"keycare/shared/mail"
	"keycare/shared/store"
)

// ComplaintStore is what the complaint handlers need from storage.
type ComplaintStore interface {
	SubmitComplaint(ctx context.Context, sub store.Submission) (store.Submitted, error)
	GetComplaint(ctx context.Context, number string) (*domain.Complaint, error)
	SaveComplaintStep(ctx context.Context, c *domain.Complaint, expectedVersion int) error
	ListComplaints(ctx context.Context, q store.ComplaintQuery) (store.Page[domain.Complaint], error)
}

// PublicComplaints serves the public complaint routes: the web form, the
// submission and the tracking page. No login; validated, size-limited,
// protected against double submission and bots.
type PublicComplaints struct {
	Store   ComplaintStore
	Mail    mail.Outbox
	Now     func() time.Time
	SLA     domain.SLA
	BaseURL string // public base URL for links; from the request when empty
}

// MaxPublicBody bounds a public submission (5,000 characters of description fit with room).
const MaxPublicBody = 64 << 10

// Handler returns the routes of the PublicComplaintsFunction.
func (h *PublicComplaints) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /complaint-form", h.form)
	mux.HandleFunc("POST /public/complaints", h.submit)
	mux.HandleFunc("GET /public/complaints/{number}", h.track)
	mux.HandleFunc("/", notFound)
	return withLogging("public-complaints", mux)
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	s := sha256.Sum256([]byte(t))
	return hex.EncodeToString(s[:])
}

func baseURL(r *http.Request, configured string) string {
	if configured != "" {
		return strings.TrimRight(configured, "/")
	}
	host := r.Host
	scheme := "https"
	if strings.HasPrefix(host, "127.0.0.1") || strings.HasPrefix(host, "localhost") || strings.HasPrefix(host, "[::1]") {
		scheme = "http"
	}
	return scheme + "://" + host
}

func (h *PublicComplaints) trackingURL(r *http.Request, number, token, l string) string {
	return trackingURL(baseURL(r, h.BaseURL), number, token, l)
}

func trackingURL(base, number, token, l string) string {
	return base + "/public/complaints/" + number + "?token=" + url.QueryEscape(token) + "&lang=" + l
}

func (h *PublicComplaints) form(w http.ResponseWriter, r *http.Request) {
	l := lang(r.URL.Query().Get("lang"))
	renderPage(w, http.StatusOK, "form.html", formPage(r, l, map[string]string{}, nil, newToken()))
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
	Website        string `json:"website"` // honeypot: people leave it empty
	IdempotencyKey string `json:"idempotencyKey"`
	Lang           string `json:"lang"`
}

func (f ComplaintForm) values() map[string]string {
	return map[string]string{"customerName": f.CustomerName, "contactName": f.ContactName, "phone": f.Phone, "email": f.Email,
		"category": f.Category, "request": f.Request, "description": f.Description}
}

func (f ComplaintForm) fingerprint() string {
	b, _ := json.Marshal([]string{f.CustomerName, f.ContactName, f.Phone, f.Email, f.Category, f.Request, f.Description})
	return hashToken(string(b))
}

// publicField maps the record card's field names to the form's.
var publicField = map[string]string{"contact.name": "contactName", "contact.phone": "phone", "contact.email": "email"}

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
			return f, true, jsonError(err)
		}
		v, err := url.ParseQuery(string(b))
		if err != nil {
			return f, true, badRequest("bad_form", "The form data could not be read. 无法读取表单数据。")
		}
		f = ComplaintForm{CustomerName: v.Get("customerName"), ContactName: v.Get("contactName"), Phone: v.Get("phone"), Email: v.Get("email"),
			Category: v.Get("category"), Request: v.Get("request"), Description: v.Get("description"), Website: v.Get("website"),
			IdempotencyKey: v.Get("idempotencyKey"), Lang: v.Get("lang")}
		return f, true, nil
	case "application/json", "":
		dec := json.NewDecoder(body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return f, false, jsonError(err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return f, false, badRequest("bad_json", "The body must hold one JSON object. 请求体只能包含一个 JSON 对象。")
		}
		return f, false, nil
	}
	return f, false, &decodeError{http.StatusUnsupportedMediaType, "unsupported_media_type", "Send JSON or a form. 请以 JSON 或表单提交。"}
}

// SubmitResponse is the JSON answer to a public submission.
type SubmitResponse struct {
	Number             string    `json:"number"`
	TrackingURL        string    `json:"trackingUrl"`
	ReceivedAt         time.Time `json:"receivedAt"`
	FirstResponseDueAt time.Time `json:"firstResponseDueAt"`
	DueAt              time.Time `json:"dueAt"`
}

func (h *PublicComplaints) submit(w http.ResponseWriter, r *http.Request) {
	f, isForm, err := decodeComplaintForm(w, r)
	if err != nil {
		fail(w, r, err)
		return
	}
	l := lang(f.Lang)
	if strings.TrimSpace(f.Website) != "" {
		// A bot filled the honeypot: look accepted, store nothing.
		slog.InfoContext(r.Context(), "honeypot", "requestId", requestID(r))
		if isForm {
			renderPage(w, http.StatusOK, "thanks.html", newPage(r, l))
		} else {
			writeJSON(w, http.StatusAccepted, map[string]string{"status": "received"})
		}
		return
	}
	key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if key == "" {
		key = strings.TrimSpace(f.IdempotencyKey)
	}
	if key != "" && (len(key) > 128 || !domain.ValidID(strings.ReplaceAll(key, "~", "."))) {
		fail(w, r, badRequest("bad_idempotency_key", "Idempotency-Key must be 1–128 letters, digits or -_. characters. 幂等键格式无效。"))
		return
	}
	now := h.Now().UTC()
	c := &domain.Complaint{CustomerName: clean(f.CustomerName), Contact: domain.Contact{Name: clean(f.ContactName), Phone: clean(f.Phone),
		Email: clean(f.Email), Language: l}, Channel: domain.ChannelWeb, Category: domain.Category(f.Category), Severity: domain.SeverityNormal,
		Request: domain.Request(f.Request), Description: clean(f.Description), ReceivedAt: now, Language: l}
	if err := c.ValidateNew(); err != nil {
		var ve *domain.ValidationError
		errors.As(err, &ve)
		fields := map[string]string{}
		for k, v := range ve.Fields {
			if p, ok := publicField[k]; ok {
				k = p
			}
			fields[k] = v
		}
		if isForm {
			errs := localizeErrors(fields, f, l)
			renderPage(w, http.StatusBadRequest, "form.html", formPage(r, l, f.values(), errs, key))
			return
		}
		fail(w, r, &domain.ValidationError{Fields: fields})
		return
	}
	token := newToken()
	c.TrackingToken = token
	c.Open(h.SLA, "", "")
	res, err := h.Store.SubmitComplaint(r.Context(), store.Submission{Complaint: c, IdempotencyKey: key, Fingerprint: f.fingerprint(), Token: token})
	if err != nil {
		fail(w, r, err)
		return
	}
	link := h.trackingURL(r, res.Number, res.Token, l)
	if !res.Replayed && c.Contact.Email != "" {
		h.sendCustomerMail(r.Context(), "complaint-received", c, link)
	}
	if isForm {
		http.Redirect(w, r, link+"&new=1", http.StatusSeeOther)
		return
	}
	status := http.StatusCreated
	if res.Replayed {
		status = http.StatusOK
	}
	writeJSON(w, status, SubmitResponse{Number: res.Number, TrackingURL: link, ReceivedAt: res.ReceivedAt,
		FirstResponseDueAt: res.FirstResponseDue, DueAt: res.CloseDue})
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
		default:
			out[k] = m["required"]
		}
	}
	return out
}

func (h *PublicComplaints) sendCustomerMail(ctx context.Context, kind string, c *domain.Complaint, link string) {
	if err := sendCustomerMail(ctx, h.Mail, kind, c, link); err != nil {
		slog.ErrorContext(ctx, "mail not sent", "kind", kind, "number", c.Number, "err", err.Error())
	}
}

func sendCustomerMail(ctx context.Context, out mail.Outbox, kind string, c *domain.Complaint, link string) error {
	if c.Contact.Email == "" {
		return nil
	}
	var d mail.Data
	switch kind {
	case "complaint-received":
		d = mail.ComplaintReceived{Number: c.Number, ReceivedAt: c.ReceivedAt, FirstResponseDue: c.Deadlines.FirstResponseDue, CloseDue: c.Deadlines.CloseDue, TrackingURL: link}
	case "complaint-accepted":
		d = mail.ComplaintAccepted{Number: c.Number, TrackingURL: link, CloseDue: c.Deadlines.CloseDue, FirstResponseDue: c.Deadlines.FirstResponseDue}
	case "complaint-rejected":
		d = mail.ComplaintRejected{Number: c.Number, Reason: c.RejectReason, TrackingURL: link}
	case "complaint-replied":
		d = mail.ComplaintReplied{Number: c.Number, Reply: replyText(c), TrackingURL: link}
	default:
		return errors.New("api: no customer mail " + kind)
	}
	now := c.ReceivedAt // the step that sends the mail is the last on the card
	if n := len(c.History); n > 0 {
		now = c.History[n-1].At
	}
	m, err := mail.Compose(mail.Envelope{To: []string{c.Contact.Email}, Lang: c.Language, Name: c.Contact.Name, Zone: c.SLA.Location(),
		Now: now, Brand: mail.DefaultBrand()}, d)
	if err != nil {
		return err
	}
	return out.Send(ctx, m)
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
}

// TrackingStep is one step as the customer sees it (no staff names).
type TrackingStep struct {
	Action domain.Action `json:"action"`
	Label  string        `json:"label"`
	At     time.Time     `json:"at"`
}

func (h *PublicComplaints) track(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	l := lang(q.Get("lang"))
	number, token := r.PathValue("number"), q.Get("token")
	var c *domain.Complaint
	if domain.ValidNumber(number) && token != "" && len(token) < 200 {
		got, err := h.Store.GetComplaint(r.Context(), number)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			fail(w, r, err)
			return
		}
		if got != nil && subtle.ConstantTimeCompare([]byte(token), []byte(got.TrackingToken)) == 1 {
			c = got
		}
	}
	if c == nil { // unknown number and wrong token look the same
		if wantsHTML(r) {
			renderPage(w, http.StatusNotFound, "notfound.html", newPage(r, l))
			return
		}
		writeError(w, http.StatusNotFound, "not_found", "No such complaint. 未找到该投诉。")
		return
	}
	v := TrackingView{Number: c.Number, Status: c.Status, StatusLabel: c.Status.Label(l), ReceivedAt: c.ReceivedAt,
		FirstResponseDueAt: c.Deadlines.FirstResponseDue, DueAt: c.Deadlines.CloseDue, RejectReason: c.RejectReason, Reply: replyText(c)}
	for _, s := range c.History {
		v.Steps = append(v.Steps, TrackingStep{Action: s.Action, Label: actionLabels[l][s.Action], At: s.At})
	}
	if !wantsHTML(r) {
		writeJSON(w, http.StatusOK, v)
		return
	}
	loc := c.SLA.Location()
	f := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") }
	type step struct{ ISO, When, Label string }
	data := struct {
		pageData
		C                            *domain.Complaint
		New                          bool
		TrackingURL, StatusLabel     string
		Received, FirstDue, CloseDue string
		Steps                        []step
	}{pageData: newPage(r, l), C: c, New: q.Get("new") == "1", TrackingURL: h.trackingURL(r, c.Number, token, l), StatusLabel: v.StatusLabel,
		Received: f(c.ReceivedAt), FirstDue: f(c.Deadlines.FirstResponseDue), CloseDue: f(c.Deadlines.CloseDue)}
	for _, s := range v.Steps {
		data.Steps = append(data.Steps, step{ISO: s.At.Format(time.RFC3339), When: f(s.At), Label: s.Label})
	}
	renderPage(w, http.StatusOK, "track.html", data)
}
