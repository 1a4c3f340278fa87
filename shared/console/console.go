// Package console is the staff console (ConsoleFunction): the pages account
// managers, supervisors, handling departments, executives and admins work in
// — My day, accounts, complaints, visits and plans, follow-ups, reports and
// the admin pages — served under /console as server-rendered html/template
// pages with a small embedded stylesheet and script (no external assets),
// phone first, usable without JavaScript, in Chinese or English per person.
//
// Pages call the same services and domain predicates as the JSON API; they
// hold no rule of their own. Sign-in is Cognito's managed login
// (authorization code with PKCE, go-oidc verifying the ID token) in AWS, and
// a local-only page under make run (Auth.Local, which only the local runner
// sets); both end in the same session: a random id in a cookie
// (__Host-keycare_session in AWS), its SHA-256 in the table with a TTL, idle
// and absolute expiry from the settings, and a CSRF token every form carries
// beside an Origin check.
package console

import (
	"context"
	"net/http"
	"sync"
	"time"

	"keycare/shared/complaint"
	"keycare/shared/customer"
	"keycare/shared/domain"
	"keycare/shared/httpx"
	"keycare/shared/mail"
	"keycare/shared/staff"
	"keycare/shared/survey"
	"keycare/shared/visit"
)

// Sessions keeps the console's sessions (store.Sessions).
type Sessions interface {
	Create(ctx context.Context, s *domain.Session, expires time.Time) error
	Get(ctx context.Context, key string) (*domain.Session, error)
	Touch(ctx context.Context, key string, seen, expires time.Time, lang string) error
	Delete(ctx context.Context, key string) error
}

// Customers is the key-account file service (customer.Service).
type Customers interface {
	Get(ctx context.Context, p domain.Principal, id string) (customer.View, error)
	List(ctx context.Context, p domain.Principal, q domain.CustomerQuery) (domain.Page[customer.View], error)
	AccessRecord(ctx context.Context, p domain.Principal, id, cursor string) (domain.Page[domain.AuditEntry], error)
}

// Complaints is the complaint workflow (complaint.Service).
type Complaints interface {
	Submit(ctx context.Context, in complaint.Intake) (complaint.Submitted, error)
	Get(ctx context.Context, p domain.Principal, number string) (*domain.Complaint, error)
	List(ctx context.Context, p domain.Principal, q domain.ComplaintQuery) (domain.Page[domain.Complaint], error)
	Open(ctx context.Context, p domain.Principal, max int) ([]domain.Complaint, error)
	Step(ctx context.Context, p domain.Principal, number string, a domain.Action, in domain.StepInput, ifMatch *int, base string) (*domain.Complaint, error)
	Correct(ctx context.Context, p domain.Principal, number string, in domain.Correction, ifMatch *int, base string) (*domain.Complaint, error)
}

// Visits is visits, plans and follow-ups (visit.Service).
type Visits interface {
	Day(ctx context.Context, p domain.Principal, lang string) ([]mail.DigestSection, error)
	SubmitPlan(ctx context.Context, p domain.Principal, month string, items []domain.PlanItem) (*domain.VisitPlan, error)
	GetPlan(ctx context.Context, p domain.Principal, id string) (*domain.VisitPlan, error)
	EditPlan(ctx context.Context, p domain.Principal, id string, items []domain.PlanItem) (*domain.VisitPlan, error)
	ReviewPlan(ctx context.Context, p domain.Principal, id string, approve bool, comment string) (*domain.VisitPlan, error)
	ListPlans(ctx context.Context, p domain.Principal, manager, month, cursor string) (domain.Page[domain.VisitPlan], error)
	ProposeVisit(ctx context.Context, p domain.Principal, d domain.VisitDraft) (*domain.Visit, error)
	ApproveVisit(ctx context.Context, p domain.Principal, id string) (*domain.Visit, error)
	Cancel(ctx context.Context, p domain.Principal, id, reason string) (*domain.Visit, error)
	ActionDone(ctx context.Context, p domain.Principal, id string, n int) (*domain.Visit, error)
	Report(ctx context.Context, p domain.Principal, id string, in domain.ReportInput, survey bool) (visit.Reported, error)
	GetVisit(ctx context.Context, p domain.Principal, id string) (*domain.Visit, error)
	ListVisits(ctx context.Context, p domain.Principal, q domain.VisitQuery) (domain.Page[visit.Summary], error)
	Coverage(ctx context.Context, p domain.Principal, period string) ([]domain.Coverage, error)
	ListFollowUps(ctx context.Context, p domain.Principal, q domain.FollowUpQuery) ([]domain.FollowUp, error)
	CompleteFollowUp(ctx context.Context, p domain.Principal, id string, in domain.CompletionInput, base string) (*domain.FollowUp, error)
	GetRelationshipPlan(ctx context.Context, p domain.Principal, id string) (*domain.RelationshipPlan, error)
}

// Surveys gives an account's satisfaction figures (survey.Service).
type Surveys interface {
	Satisfaction(ctx context.Context, p domain.Principal, customerID, from, to string) (survey.Satisfaction, error)
}

// Settings reads and changes the settings (settings.Service).
type Settings interface {
	Current(ctx context.Context) (domain.Settings, error)
	Get(ctx context.Context) (domain.Settings, error)
	Update(ctx context.Context, p domain.Principal, next domain.Settings, ifMatch int) (domain.Settings, error)
}

// Staff is the staff directory (staff.Service): whether a person may still
// act, their language, and the admin pages.
type Staff interface {
	Active(ctx context.Context, id string) (bool, error)
	Get(ctx context.Context, id string) (*domain.StaffMember, error)
	List(ctx context.Context) ([]domain.StaffMember, error)
	Put(ctx context.Context, p domain.Principal, m domain.StaffMember, ifMatch int) (*domain.StaffMember, bool, error)
	Directory(ctx context.Context) (*staff.Directory, error)
}

// Console serves the staff console's pages.
type Console struct {
	Sessions   Sessions
	Customers  Customers
	Complaints Complaints
	Visits     Visits
	Surveys    Surveys
	Settings   Settings
	Staff      Staff
	// Reports is the monthly report (ServiceReports over shared/report,
	// wired in platform/wire.go); nil is NoReports, which says so.
	Reports Reports
	Auth    Auth
	Now     func() time.Time
	// BaseURL is the public base URL of the links in mail (PublicBaseUrl);
	// empty: the request's own.
	BaseURL string
	// BasePath is a custom domain's API mapping (/keycare): the console's
	// links and redirects carry it, the routes do not see it.
	BasePath string

	keysOnce sync.Once
	keys     keySet
}

// Router returns the routes of ConsoleFunction.
func (c *Console) Router() *httpx.Router {
	if c.Reports == nil {
		c.Reports = NoReports{}
	}
	rt := httpx.NewRouter("console")
	// Sign-in, sign-out, language, assets.
	rt.HandleFunc("GET /console/sign-in", c.signIn)
	rt.HandleFunc("POST /console/sign-in", c.localSignIn)
	rt.HandleFunc("GET /console/auth/callback", c.callback)
	rt.HandleFunc("POST /console/sign-out", c.page(c.signOut))
	rt.HandleFunc("GET /console/signed-out", c.signedOut)
	rt.HandleFunc("POST /console/language", c.page(c.language))
	rt.HandleFunc("GET /console/assets/{file}", c.asset)
	// My day.
	rt.HandleFunc("GET /console", c.page(c.day))
	// Accounts.
	rt.HandleFunc("GET /console/accounts", c.page(c.accounts))
	rt.HandleFunc("GET /console/accounts/{id}", c.page(c.account))
	// Complaints.
	rt.HandleFunc("GET /console/complaints", c.page(c.complaints))
	rt.HandleFunc("GET /console/complaints/new", c.page(c.newComplaint))
	rt.HandleFunc("POST /console/complaints", c.page(c.enterComplaint))
	rt.HandleFunc("GET /console/complaints/{number}", c.page(c.complaintCard))
	rt.HandleFunc("POST /console/complaints/{number}/{step}", c.page(c.complaintStep))
	// Visits, plans, coverage.
	rt.HandleFunc("GET /console/visits", c.page(c.visits))
	rt.HandleFunc("GET /console/visits/new", c.page(c.newVisit))
	rt.HandleFunc("POST /console/visits", c.page(c.proposeVisit))
	rt.HandleFunc("GET /console/visits/{id}", c.page(c.visit))
	rt.HandleFunc("POST /console/visits/{id}/{action}", c.page(c.visitAction))
	rt.HandleFunc("GET /console/plans", c.page(c.plans))
	rt.HandleFunc("POST /console/plans", c.page(c.submitPlan))
	rt.HandleFunc("GET /console/plans/{id}", c.page(c.plan))
	rt.HandleFunc("POST /console/plans/{id}/{action}", c.page(c.planAction))
	rt.HandleFunc("GET /console/coverage", c.page(c.coverage))
	// Follow-ups.
	rt.HandleFunc("GET /console/follow-ups", c.page(c.followUps))
	rt.HandleFunc("POST /console/follow-ups/{id}/complete", c.page(c.completeFollowUp))
	// Reports.
	rt.HandleFunc("GET /console/reports", c.page(c.reports))
	rt.HandleFunc("GET /console/reports/{month}/verify", c.page(c.reportVerify))
	rt.HandleFunc("GET /console/reports/{month}/{file}", c.page(c.reportFile))
	// Admin.
	rt.HandleFunc("GET /console/admin/staff", c.page(c.staffList))
	rt.HandleFunc("POST /console/admin/staff", c.page(c.saveStaff))
	rt.HandleFunc("GET /console/admin/staff/{id}", c.page(c.staffMember))
	rt.HandleFunc("POST /console/admin/staff/{id}", c.page(c.saveStaff))
	rt.HandleFunc("GET /console/admin/settings", c.page(c.settingsPage))
	rt.HandleFunc("POST /console/admin/settings", c.page(c.saveSettings))
	return rt
}

// path is a console path as the browser must ask for it (with the base path).
func (c *Console) path(p string) string { return c.BasePath + p }

// redirect answers 303 See Other to console path p.
func (c *Console) redirect(w http.ResponseWriter, r *http.Request, p string) {
	http.Redirect(w, r, c.path(p), http.StatusSeeOther)
}

// base is the public base URL of links in mail.
func (c *Console) base(r *http.Request) string { return httpx.BaseURL(r, c.BaseURL) }
