package console

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"keycare/shared/customer"
	"keycare/shared/domain"
	"keycare/shared/visit"
)

type visitsData struct {
	Manager  string
	Managers []domain.StaffMember
	Items    []visit.Summary
	NeedsWho bool // a supervisor chooses whose visits
}

// visits lists a manager's visits around today (their own; a supervisor
// chooses a manager of their department): what to report, what is coming,
// what waits for approval.
func (c *Console) visits(w http.ResponseWriter, r *http.Request, s *session) {
	v := c.view(r, s, "visits", nil)
	v.Title = v.T("nav.visits")
	d := &visitsData{Manager: r.URL.Query().Get("manager")}
	if !s.P.Has(domain.RoleManager) || d.Manager != "" {
		d.Managers = c.managers(r, s)
	}
	if d.Manager == "" && s.P.Has(domain.RoleManager) {
		d.Manager = s.Sub
	}
	if d.Manager == "" {
		d.NeedsWho = true
		v.D = d
		c.render(w, r, http.StatusOK, "visits", v)
		return
	}
	today := v.now.In(v.loc)
	pg, err := c.Visits.ListVisits(r.Context(), s.P, domain.VisitQuery{Manager: d.Manager, From: today.AddDate(0, 0, -60).Format(time.DateOnly),
		To: today.AddDate(0, 0, 62).Format(time.DateOnly), Limit: 200})
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	d.Items = pg.Items
	v.D = d
	c.render(w, r, http.StatusOK, "visits", v)
}

type visitData struct {
	V          *domain.Visit
	CanReport  bool
	CanApprove bool
	CanCancel  bool
	CanMark    bool
	Today      string
	Survey     string
}

// visit is a visit with its report (visit.Service.GetVisit: on the access
// record), the report form for its manager, the supervisor's approval of
// an ad-hoc visit, cancelling, and the promised actions.
func (c *Console) visit(w http.ResponseWriter, r *http.Request, s *session) {
	c.showVisit(w, r, s, http.StatusOK, nil, nil)
}

func (c *Console) showVisit(w http.ResponseWriter, r *http.Request, s *session, status int, errs map[string]string, alert error) {
	vi, err := c.Visits.GetVisit(r.Context(), s.P, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	v := c.view(r, s, "visits", nil)
	v.Title = vi.CustomerName + " · " + vi.Date
	d := &visitData{V: vi, Today: v.Today(), Survey: r.URL.Query().Get("survey"),
		CanReport:  vi.Status == domain.VisitPlanned && vi.ManagerID == s.Sub,
		CanApprove: vi.Status == domain.VisitProposed && domain.CanReviewPlan(s.P, vi.Department),
		CanCancel:  vi.Status.Open() && (vi.ManagerID == s.Sub || domain.CanReviewPlan(s.P, vi.Department)),
		CanMark:    vi.Report != nil && (vi.ManagerID == s.Sub || domain.CanReviewPlan(s.P, vi.Department))}
	if errs != nil {
		v.Errors, v.Values = errs, r.PostForm
	} else {
		v.Values = url.Values{"happenedOn": {vi.Date}}
	}
	if alert != nil {
		v.Alert = alertOf(v, alert)
	}
	v.D = d
	c.render(w, r, status, "visit", v)
}

// lines splits a textarea into its non-empty lines (or comma-separated names).
func lines(s string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' || r == '，' || r == '、' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// visitAction is report, approve, cancel or done (a promised action).
func (c *Console) visitAction(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, id, f := r.Context(), r.PathValue("id"), r.PostForm
	var err error
	extra := ""
	switch r.PathValue("action") {
	case "report":
		in := domain.ReportInput{HappenedOn: f.Get("happenedOn"), Attendees: lines(f.Get("attendees")), Learned: f.Get("learned"),
			Needs: f.Get("needs"), NextStep: f.Get("nextStep")}
		for i := 0; i < 5; i++ {
			n := strconv.Itoa(i)
			if t := strings.TrimSpace(f.Get("action" + n)); t != "" || f.Get("owner"+n) != "" || f.Get("due"+n) != "" {
				in.Actions = append(in.Actions, domain.PromisedAction{Text: t, Owner: strings.TrimSpace(f.Get("owner" + n)), Due: f.Get("due" + n)})
			}
		}
		var rep visit.Reported
		rep, err = c.Visits.Report(ctx, s.P, id, in, f.Get("sendSurvey") == "true")
		if rep.Survey != "" {
			extra = "&survey=" + rep.Survey
		}
	case "approve":
		_, err = c.Visits.ApproveVisit(ctx, s.P, id)
	case "cancel":
		_, err = c.Visits.Cancel(ctx, s.P, id, f.Get("reason"))
	case "done":
		n, perr := strconv.Atoi(f.Get("n"))
		if perr != nil {
			n = -1
		}
		_, err = c.Visits.ActionDone(ctx, s.P, id, n)
	default:
		c.failPage(w, r, s, http.StatusNotFound, "notFound")
		return
	}
	var ve *domain.ValidationError
	switch {
	case err == nil:
		c.redirect(w, r, "/console/visits/"+url.PathEscape(id)+"?done="+r.PathValue("action")+extra)
	case errors.As(err, &ve):
		errs := fieldErrors(ve, s.Lang, nil)
		for k, m := range errs { // actions[2].text → action2
			if strings.HasPrefix(k, "actions[") {
				i := strings.TrimSuffix(strings.TrimPrefix(k, "actions["), "]")
				i, field, _ := strings.Cut(i, "].")
				errs[map[string]string{"text": "action", "owner": "owner", "due": "due"}[field]+i] = m
			}
		}
		c.showVisit(w, r, s, http.StatusBadRequest, errs, nil)
	case errors.Is(err, domain.ErrConflict), errors.Is(err, domain.ErrForbidden):
		c.showVisit(w, r, s, http.StatusConflict, nil, err)
	default:
		c.fail(w, r, s, err)
	}
}

type newVisitData struct {
	Accounts []customer.View
	Purposes []domain.VisitPurpose
}

// myAccounts are the files a manager plans and proposes visits to.
func (c *Console) myAccounts(r *http.Request, s *session) []customer.View {
	pg, err := c.Customers.List(r.Context(), s.P, domain.CustomerQuery{Manager: s.Sub, Limit: 100})
	if err != nil {
		return nil
	}
	return pg.Items
}

// newVisit is the ad-hoc visit request form.
func (c *Console) newVisit(w http.ResponseWriter, r *http.Request, s *session) {
	v := c.view(r, s, "visits", nil)
	v.Values = url.Values{"customerId": {r.URL.Query().Get("customer")}}
	c.renderNewVisit(w, r, s, v, http.StatusOK)
}

func (c *Console) renderNewVisit(w http.ResponseWriter, r *http.Request, s *session, v *view, status int) {
	if !s.P.Has(domain.RoleManager) {
		c.failPage(w, r, s, http.StatusForbidden, "forbidden")
		return
	}
	v.Title = v.T("visit.new")
	v.D = &newVisitData{Accounts: c.myAccounts(r, s), Purposes: domain.VisitPurposes}
	c.render(w, r, status, "newvisit", v)
}

// proposeVisit proposes an ad-hoc visit; it waits for the supervisor.
func (c *Console) proposeVisit(w http.ResponseWriter, r *http.Request, s *session) {
	f := r.PostForm
	vi, err := c.Visits.ProposeVisit(r.Context(), s.P, domain.VisitDraft{CustomerID: f.Get("customerId"), Date: f.Get("date"),
		Purpose: domain.VisitPurpose(f.Get("purpose")), Participants: lines(f.Get("participants")), Note: f.Get("note")})
	var ve *domain.ValidationError
	switch {
	case err == nil:
		c.redirect(w, r, "/console/visits/"+url.PathEscape(vi.ID)+"?done=proposed")
	case errors.As(err, &ve):
		v := c.view(r, s, "visits", nil)
		v.Errors, v.Values = fieldErrors(ve, s.Lang, nil), f
		c.renderNewVisit(w, r, s, v, http.StatusBadRequest)
	default:
		c.fail(w, r, s, err)
	}
}

type plansData struct {
	Month, Manager string
	Months         []string
	Plans          []domain.VisitPlan
	Mine           *domain.VisitPlan // the manager's plan of the month, if any
	Accounts       []customer.View
	Purposes       []domain.VisitPurpose
	Rows           []int
	CanSubmit      bool
	Review         bool // a supervisor's review list
	Deadline       string
}

// plans is next month's plan for a manager (the form to add, edit and
// submit it) and, for a supervisor, the month's plans of their department
// to review.
func (c *Console) plans(w http.ResponseWriter, r *http.Request, s *session) {
	c.showPlans(w, r, s, http.StatusOK, nil)
}

func (c *Console) showPlans(w http.ResponseWriter, r *http.Request, s *session, status int, errs map[string]string) {
	v := c.view(r, s, "plans", nil)
	v.Title = v.T("nav.plans")
	q := r.URL.Query()
	next := domain.NextMonth(v.Today()[:7])
	d := &plansData{Month: q.Get("month"), Manager: q.Get("manager"), Purposes: domain.VisitPurposes, Months: []string{v.Today()[:7], next}}
	if r.Method == http.MethodPost {
		d.Month = r.PostForm.Get("month")
	}
	if d.Month == "" {
		d.Month = next
	}
	if !domain.ValidMonth(d.Month) {
		c.failPage(w, r, s, http.StatusBadRequest, "badForm")
		return
	}
	if r.Method == http.MethodPost {
		v.Values = r.PostForm
	}
	due, _ := domain.PlanDeadline(d.Month, v.set.SLA(), v.set.Visits)
	d.Deadline = due
	ctx := r.Context()
	if s.P.HasAny(domain.RoleSupervisor, domain.RoleExecutive, domain.RoleAdmin) {
		d.Review = true
		pg, err := c.Visits.ListPlans(ctx, s.P, d.Manager, d.Month, "")
		if err != nil && !isValidation(err) {
			c.fail(w, r, s, err)
			return
		}
		d.Plans = pg.Items
	}
	if s.P.Has(domain.RoleManager) {
		pg, err := c.Visits.ListPlans(ctx, s.P, s.Sub, d.Month, "")
		if err != nil {
			c.fail(w, r, s, err)
			return
		}
		if len(pg.Items) > 0 {
			d.Mine = &pg.Items[0]
		}
		d.CanSubmit = d.Mine == nil || d.Mine.Status != domain.PlanApproved
		d.Accounts = c.myAccounts(r, s)
		if r.Method != http.MethodPost && d.Mine != nil {
			v.Values = planValues(d.Mine.Items)
		}
		n := 0
		for k := range v.Values {
			if strings.HasPrefix(k, "customer") && v.Values.Get(k) != "" {
				n++
			}
		}
		for i := 0; i < n+4; i++ {
			d.Rows = append(d.Rows, i)
		}
	}
	if errs != nil {
		v.Errors = errs
	}
	v.D = d
	c.render(w, r, status, "plans", v)
}

func planValues(items []domain.PlanItem) url.Values {
	out := url.Values{}
	for i, it := range items {
		n := strconv.Itoa(i)
		out.Set("customer"+n, it.CustomerID)
		out.Set("date"+n, it.Date)
		out.Set("purpose"+n, string(it.Purpose))
		out.Set("participants"+n, strings.Join(it.Participants, ", "))
		out.Set("note"+n, it.Note)
	}
	return out
}

// planItems reads the plan form's rows; a row without an account is blank.
func planItems(f url.Values) []domain.PlanItem {
	var out []domain.PlanItem
	for i := 0; i < domain.MaxPlanItems; i++ {
		n := strconv.Itoa(i)
		if _, ok := f["customer"+n]; !ok {
			break
		}
		if f.Get("customer"+n) == "" {
			continue
		}
		out = append(out, domain.PlanItem{CustomerID: f.Get("customer" + n), Date: f.Get("date" + n), Purpose: domain.VisitPurpose(f.Get("purpose" + n)),
			Participants: lines(f.Get("participants" + n)), Note: f.Get("note" + n)})
	}
	return out
}

// submitPlan submits (or, when the month's plan exists, edits and submits
// again) the manager's plan.
func (c *Console) submitPlan(w http.ResponseWriter, r *http.Request, s *session) {
	f := r.PostForm
	month := f.Get("month")
	items := planItems(f)
	var plan *domain.VisitPlan
	var err error
	if f.Get("id") != "" {
		plan, err = c.Visits.EditPlan(r.Context(), s.P, f.Get("id"), items)
	} else {
		plan, err = c.Visits.SubmitPlan(r.Context(), s.P, month, items)
	}
	c.afterPlan(w, r, s, plan, err, "submitted")
}

func (c *Console) afterPlan(w http.ResponseWriter, r *http.Request, s *session, plan *domain.VisitPlan, err error, done string) {
	var ve *domain.ValidationError
	switch {
	case err == nil:
		c.redirect(w, r, "/console/plans/"+url.PathEscape(plan.ID)+"?done="+done)
	case errors.As(err, &ve) && r.PathValue("id") == "":
		errs := map[string]string{}
		for k, m := range fieldErrors(ve, s.Lang, nil) { // items[2].date → date2
			if rest, ok := strings.CutPrefix(k, "items["); ok {
				i, field, _ := strings.Cut(rest, "].")
				k = map[string]string{"customerId": "customer"}[field] + i
				if k == i {
					k = field + i
				}
			}
			errs[k] = m
		}
		c.showPlans(w, r, s, http.StatusBadRequest, errs)
	case errors.As(err, &ve):
		c.showPlan(w, r, s, http.StatusBadRequest, fieldErrors(ve, s.Lang, nil), nil)
	case errors.Is(err, domain.ErrConflict):
		c.showPlan(w, r, s, http.StatusConflict, nil, err)
	default:
		c.fail(w, r, s, err)
	}
}

type planData struct {
	Plan      *domain.VisitPlan
	CanReview bool
	CanEdit   bool
}

// plan is one plan: its items, the review form for the department's
// supervisor, a link to edit it for its manager.
func (c *Console) plan(w http.ResponseWriter, r *http.Request, s *session) {
	c.showPlan(w, r, s, http.StatusOK, nil, nil)
}

func (c *Console) showPlan(w http.ResponseWriter, r *http.Request, s *session, status int, errs map[string]string, alert error) {
	p, err := c.Visits.GetPlan(r.Context(), s.P, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	v := c.view(r, s, "plans", nil)
	v.Title = v.Tf("plan.title", p.Month, p.ManagerID)
	v.D = &planData{Plan: p, CanReview: p.Status == domain.PlanSubmitted && domain.CanReviewPlan(s.P, p.Department),
		CanEdit: p.ManagerID == s.Sub && p.Status != domain.PlanApproved}
	if errs != nil {
		v.Errors, v.Values = errs, r.PostForm
	}
	if alert != nil {
		v.Alert = alertOf(v, alert)
	}
	c.render(w, r, status, "plan", v)
}

// planAction is the supervisor's review (approve, or return with a comment).
func (c *Console) planAction(w http.ResponseWriter, r *http.Request, s *session) {
	if r.PathValue("action") != "review" {
		c.failPage(w, r, s, http.StatusNotFound, "notFound")
		return
	}
	f := r.PostForm
	approve := f.Get("approve")
	if approve != "true" && approve != "false" {
		c.showPlan(w, r, s, http.StatusBadRequest, map[string]string{"approve": inLang("say whether it is approved or returned 请选择通过或退回", s.Lang)}, nil)
		return
	}
	plan, err := c.Visits.ReviewPlan(r.Context(), s.P, r.PathValue("id"), approve == "true", f.Get("comment"))
	done := "approved"
	if approve != "true" {
		done = "returned"
	}
	c.afterPlan(w, r, s, plan, err, done)
}

type coverageData struct {
	Period string
	Rows   []domain.Coverage
	Body   template.HTML // the rows' markup (coverageRows)
}

// coverageRows writes the coverage table's rows: the account (linked), its
// tier, its manager, the visits, the periods met of those required and the
// status as a badge in words. It is written in Go rather than in
// coverage.html because a supervisor's or an executive's coverage lists
// hundreds of accounts and html/template calls a helper and an escaper
// through reflection for every cell: on this page that cost nearly half
// as much as its DynamoDB reads (bench: 1.43–1.53× them; see README).
// Every value is escaped here as the template would escape it.
func (v *view) coverageRows(rows []domain.Coverage) template.HTML {
	var b strings.Builder
	esc := template.HTMLEscapeString
	for _, r := range rows {
		class := "soon"
		switch r.Status {
		case "ok":
			class = "ok"
		case "below":
			class = "late"
		}
		b.WriteString(`<tr><td><a href="` + esc(v.U("/console/accounts/"+url.PathEscape(r.CustomerID))) + `">` + esc(r.CustomerName) + `</a></td><td>` +
			esc(v.TierL(r.Tier)) + `</td><td>` + esc(v.Who(r.ManagerID)) + `</td><td>` + strconv.Itoa(r.Visits) + `</td><td>` +
			strconv.Itoa(r.Met) + ` / ` + strconv.Itoa(r.Required) + `</td><td><span class="badge ` + class + `">` + esc(v.Label("coverage", r.Status)) + "</span></td></tr>")
	}
	return template.HTML(b.String())
}

// coverage is visit coverage by tier for a period (YYYY-Qn, -Hn, -MM, YYYY).
func (c *Console) coverage(w http.ResponseWriter, r *http.Request, s *session) {
	v := c.view(r, s, "visits", nil)
	v.Title = v.T("nav.coverage")
	period := r.URL.Query().Get("period")
	if period == "" {
		t := v.now.In(v.loc)
		period = t.Format("2006") + "-Q" + strconv.Itoa((int(t.Month())-1)/3+1)
	}
	rows, err := c.Visits.Coverage(r.Context(), s.P, period)
	if isValidation(err) {
		var ve *domain.ValidationError
		errors.As(err, &ve)
		v.Errors = fieldErrors(ve, s.Lang, nil)
		v.D = &coverageData{Period: period}
		c.render(w, r, http.StatusBadRequest, "coverage", v)
		return
	}
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	v.D = &coverageData{Period: period, Rows: rows, Body: v.coverageRows(rows)}
	c.render(w, r, http.StatusOK, "coverage", v)
}

// VisitState is a visit's state in words, overdue for a report past due.
func (v *view) VisitState(vi *domain.Visit) string {
	return v.Label("visitStatus", vi.ListStatus(v.Today()))
}

// DueDate is the badge of a date's end in the company's zone.
func (v *view) DueDate(date string) *Badge {
	t, err := time.ParseInLocation(time.DateOnly, date, v.loc)
	if err != nil {
		return nil
	}
	b := v.Due(t.AddDate(0, 0, 1))
	return &b
}
