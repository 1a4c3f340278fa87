// Package visit runs visits and follow-ups (客户拜访 / 回访): monthly visit
// plans and their review, planned and ad-hoc visits, visit reports with
// promised actions, visit frequency per tier, the follow-up callbacks a
// manager owes (customer events, handovers, poor survey answers, replied
// complaints, greetings), relationship plans, handovers (交接), and — in
// digest.go — the daily reminder email (VisitRemindersFunction).
package visit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"keycare/shared/domain"
	"keycare/shared/mail"
	"keycare/shared/staff"
)

// Store keeps plans, visits, events and relationship plans, and answers the
// daily run's queries.
type Store interface {
	GetPlan(ctx context.Context, id string) (*domain.VisitPlan, error)
	PutPlan(ctx context.Context, p *domain.VisitPlan, expected int) error
	PlansOfMonth(ctx context.Context, month string) ([]domain.VisitPlan, error)
	PlansOfManager(ctx context.Context, manager string, limit int32, cursor string) (domain.Page[domain.VisitPlan], error)
	GetVisit(ctx context.Context, id string) (*domain.Visit, error)
	CreateVisit(ctx context.Context, v *domain.Visit) error
	SaveVisit(ctx context.Context, v *domain.Visit, expected int, audit *domain.AuditEntry) error
	LastVisits(ctx context.Context) (map[string]string, error)
	ListVisits(ctx context.Context, q domain.VisitQuery) (domain.Page[domain.Visit], error)
	OpenVisitsUntil(ctx context.Context, date string) ([]domain.Visit, error)
	ReportedIn(ctx context.Context, month string) ([]domain.Visit, error)
	OpenVisitsOf(ctx context.Context, customer string) ([]domain.Visit, error)
	MoveVisit(ctx context.Context, id, from, to string) error
	PutEvent(ctx context.Context, e *domain.CustomerEvent) (bool, error)
	GetRelationshipPlan(ctx context.Context, customer string) (*domain.RelationshipPlan, error)
	PutRelationshipPlan(ctx context.Context, p *domain.RelationshipPlan, expected int) error
	ReviewsDueBy(ctx context.Context, date string) ([]domain.RelationshipPlan, error)
	RelationshipPlansSubmitted(ctx context.Context) ([]domain.RelationshipPlan, error)
	OpenActionsUntil(ctx context.Context, date string) ([]domain.Visit, error)
	Accounts(ctx context.Context) ([]domain.Customer, error)
	RepliedComplaints(ctx context.Context) ([]domain.Complaint, error)
	// The monthly report's reads (month.go).
	VisitsByID(ctx context.Context, ids []string) ([]domain.Visit, error)
	OpenVisitsBetween(ctx context.Context, from, to string) ([]domain.Visit, error)
	VisitsOfCustomer(ctx context.Context, customer string) ([]domain.Visit, error)
}

// FollowUps keeps the callbacks managers owe.
type FollowUps interface {
	OpenOf(ctx context.Context, manager string, before time.Time) ([]domain.FollowUp, error)
	OpenDueBefore(ctx context.Context, t time.Time) ([]domain.FollowUp, error)
	OpenOfCustomer(ctx context.Context, customer string) ([]domain.FollowUp, error)
	Get(ctx context.Context, id string) (*domain.FollowUp, error)
	Create(ctx context.Context, f *domain.FollowUp) (bool, error)
	Complete(ctx context.Context, f *domain.FollowUp, audit domain.AuditEntry) error
	Move(ctx context.Context, id, from, to string) error
	DueBetween(ctx context.Context, from, to time.Time) ([]domain.FollowUp, error) // open or done (the monthly report)
}

// Handovers keeps handover jobs.
type Handovers interface {
	Start(ctx context.Context, h *domain.Handover) (string, bool, error)
	Get(ctx context.Context, id string) (*domain.Handover, error)
	Running(ctx context.Context) ([]domain.Handover, error)
	MoveAccount(ctx context.Context, job *domain.Handover, id string, audit domain.AuditEntry) (bool, error)
	Notified(ctx context.Context, job, id string) error
	Finish(ctx context.Context, h *domain.Handover, at time.Time) error
}

// Files checks that a member of staff may see a key-account file.
type Files interface {
	Visible(ctx context.Context, p domain.Principal, id string) (*domain.Customer, error)
}

// Accounts reads and lists key-account files.
type Accounts interface {
	Get(ctx context.Context, id string) (*domain.Customer, error)
	List(ctx context.Context, q domain.CustomerQuery) (domain.Page[domain.Customer], error)
}

// AuditLog is the access record.
type AuditLog interface {
	Put(ctx context.Context, e domain.AuditEntry) error
	PutAll(ctx context.Context, entries []domain.AuditEntry) error
}

// Settings gives the settings in force.
type Settings interface {
	Current(ctx context.Context) (domain.Settings, error)
}

// Directory tells who receives what.
type Directory interface {
	Directory(ctx context.Context) (*staff.Directory, error)
}

// People reads one directory entry (domain.ErrNotFound when unknown).
type People interface {
	Get(ctx context.Context, id string) (*domain.StaffMember, error)
}

// Surveys invites an account's contact to rate a visit (reason visit, under
// the contact gap: domain.ErrRecentlySurveyed).
type Surveys interface {
	AfterVisit(ctx context.Context, v *domain.Visit, a *domain.Customer) (*domain.Invitation, error)
}

// Complaints records a complaint's closing callback (the complaint
// workflow's callback step).
type Complaints interface {
	Step(ctx context.Context, p domain.Principal, number string, a domain.Action, in domain.StepInput, ifMatch *int, base string) (*domain.Complaint, error)
}

// Service is the visits and follow-ups capability.
type Service struct {
	Store      Store
	FollowUps  FollowUps
	Handovers  Handovers
	Files      Files
	Accounts   Accounts
	Audit      AuditLog
	Settings   Settings
	Directory  Directory
	People     People
	Surveys    Surveys    // nil: reports send no survey
	Complaints Complaints // nil: complaint callbacks cannot be completed here
	Notifier   mail.Notifier
	Now        func() time.Time
	NewID      func(prefix string) string
	BaseURL    string // public base URL of the links in mail
}

func (s *Service) settings(ctx context.Context) (domain.Settings, domain.SLA, error) {
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return set, domain.SLA{}, err
	}
	return set, set.SLA(), nil
}

// shown puts what p was shown on the access record (查阅登记): one entry
// per record in its own trail and, for a listing (query not empty), one
// under the reader naming the query and the number of rows.
func (s *Service) shown(ctx context.Context, p domain.Principal, entity string, ids []string, query string) error {
	action := domain.ActionRead
	if query != "" {
		action = domain.ActionList
	}
	entries := make([]domain.AuditEntry, 0, len(ids)+1)
	for _, id := range ids {
		entries = append(entries, s.entry(ctx, p, entity, id, action))
	}
	if query != "" {
		e := s.entry(ctx, p, entity+"-list", p.Sub, domain.ActionList)
		e.Changes = []string{fmt.Sprintf("%s rows=%d", query, len(ids))}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil
	}
	return s.Audit.PutAll(ctx, entries)
}

func (s *Service) entry(ctx context.Context, p domain.Principal, entity, id, action string) domain.AuditEntry {
	return domain.AuditEntry{Entity: entity, EntityID: id, Action: action, Actor: p.Sub, Role: p.Primary(), At: s.Now().UTC(), RequestID: domain.RequestID(ctx)}
}

func notFound(what, id string) error { return fmt.Errorf("%s %q: %w", what, id, domain.ErrNotFound) }

// ownAccount reads account id for manager p: domain.ErrNotFound for an
// unknown id, domain.ForbiddenError for an account p does not manage.
func (s *Service) ownAccount(ctx context.Context, p domain.Principal, id, field string) (*domain.Customer, error) {
	if !domain.ValidID(id) {
		return nil, &domain.ValidationError{Fields: map[string]string{field: "not a customer id 客户标识无效"}}
	}
	a, err := s.Files.Visible(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if a.ManagerID != p.Sub {
		return nil, domain.Forbidden("account %s is managed by someone else", id)
	}
	return a, nil
}

// SubmitPlan submits p's visit plan for month: p is a manager, every item
// names one of p's accounts (domain.ErrNotFound, domain.ForbiddenError) and
// the rules of domain.NewVisitPlan hold (domain.ValidationError). A second
// plan for the month is domain.ErrConflict (edit the first).
func (s *Service) SubmitPlan(ctx context.Context, p domain.Principal, month string, items []domain.PlanItem) (*domain.VisitPlan, error) {
	if !p.Has(domain.RoleManager) {
		return nil, domain.Forbidden("account managers submit visit plans")
	}
	set, cal, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	plan, err := domain.NewVisitPlan(month, items, p.Sub, p.Department, s.Now(), cal, set.Visits)
	if err != nil {
		return nil, err
	}
	if err := s.checkItems(ctx, p, plan); err != nil {
		return nil, err
	}
	if err := s.Store.PutPlan(ctx, plan, 0); err != nil {
		return nil, err
	}
	return plan, nil
}

func (s *Service) checkItems(ctx context.Context, p domain.Principal, plan *domain.VisitPlan) error {
	for i := range plan.Items {
		a, err := s.ownAccount(ctx, p, plan.Items[i].CustomerID, "items["+strconv.Itoa(i)+"].customerId")
		if err != nil {
			return err
		}
		plan.Items[i].CustomerName, plan.Items[i].VisitID = a.Name, ""
		if plan.Department == "" {
			plan.Department = a.Department
		}
	}
	return nil
}

func (s *Service) visiblePlan(ctx context.Context, p domain.Principal, id string) (*domain.VisitPlan, error) {
	if !domain.ValidID(id) {
		return nil, notFound("visit plan", id)
	}
	plan, err := s.Store.GetPlan(ctx, id)
	if err != nil {
		return nil, err
	}
	if plan.ManagerID != p.Sub && !domain.CanReviewPlan(p, plan.Department) {
		return nil, domain.Forbidden("this plan is another manager's")
	}
	return plan, nil
}

// GetPlan reads plan id for its manager or the department's supervisor.
func (s *Service) GetPlan(ctx context.Context, p domain.Principal, id string) (*domain.VisitPlan, error) {
	plan, err := s.visiblePlan(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return plan, s.shown(ctx, p, "visit-plan", []string{plan.ID}, "")
}

// EditPlan replaces the items of p's returned or submitted plan and submits
// it again (an approved plan is a domain.StateError: use ad-hoc visits).
func (s *Service) EditPlan(ctx context.Context, p domain.Principal, id string, items []domain.PlanItem) (*domain.VisitPlan, error) {
	plan, err := s.visiblePlan(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if plan.ManagerID != p.Sub {
		return nil, domain.Forbidden("the plan's manager edits it")
	}
	_, cal, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	version := plan.Version
	if err := plan.Edit(items, s.Now(), cal); err != nil {
		return nil, err
	}
	if err := s.checkItems(ctx, p, plan); err != nil {
		return nil, err
	}
	return plan, s.Store.PutPlan(ctx, plan, version)
}

// ReviewPlan approves (each item becomes a planned visit) or returns plan
// id; for the supervisor of its department.
func (s *Service) ReviewPlan(ctx context.Context, p domain.Principal, id string, approve bool, comment string) (*domain.VisitPlan, error) {
	plan, err := s.visiblePlan(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !domain.CanReviewPlan(p, plan.Department) {
		return nil, domain.Forbidden("the supervisor of the plan's department reviews it")
	}
	set, cal, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	version := plan.Version
	if err := plan.Review(approve, comment, p.Sub, s.Now()); err != nil {
		return nil, err
	}
	if approve {
		// Visits first, with ids derived from the plan: a retry after a
		// crash makes none twice, and an approved plan always has its visits.
		for i := range plan.Items {
			it := &plan.Items[i]
			a, err := s.Accounts.Get(ctx, it.CustomerID)
			if err != nil {
				return nil, err
			}
			h := sha256.Sum256([]byte(plan.ID + "#" + strconv.Itoa(i) + "#" + strconv.Itoa(version)))
			vid := "vp" + hex.EncodeToString(h[:10])
			v, err := domain.NewVisit(vid, domain.VisitDraft{CustomerID: it.CustomerID, Date: it.Date, Purpose: it.Purpose, Participants: it.Participants, Note: it.Note},
				a, "plan", plan.ID, plan.ManagerID, s.Now(), cal, set.Visits)
			if err != nil {
				return nil, err
			}
			if err := s.Store.CreateVisit(ctx, v); err != nil && !errors.Is(err, domain.ErrConflict) {
				return nil, err
			}
			it.VisitID = vid
		}
	}
	return plan, s.Store.PutPlan(ctx, plan, version)
}

// ListPlans lists plans: a manager's (newest month first), or a month's
// (a supervisor their department's, executives and admins all).
func (s *Service) ListPlans(ctx context.Context, p domain.Principal, manager, month, cursor string) (domain.Page[domain.VisitPlan], error) {
	if month != "" && !domain.ValidMonth(month) {
		return domain.Page[domain.VisitPlan]{}, &domain.ValidationError{Fields: map[string]string{"month": "must be YYYY-MM 月份格式为 YYYY-MM"}}
	}
	if manager != "" && !domain.ValidID(manager) {
		return domain.Page[domain.VisitPlan]{}, &domain.ValidationError{Fields: map[string]string{"manager": "not a user id 用户标识无效"}}
	}
	if p.Has(domain.RoleManager) && !p.HasAny(domain.RoleSupervisor, domain.RoleExecutive, domain.RoleAdmin) {
		if manager != "" && manager != p.Sub {
			return domain.Page[domain.VisitPlan]{}, domain.Forbidden("managers list their own plans")
		}
		manager = p.Sub
	}
	if !p.HasAny(domain.RoleManager, domain.RoleSupervisor, domain.RoleExecutive, domain.RoleAdmin) {
		return domain.Page[domain.VisitPlan]{}, domain.Forbidden("your role has no access to visit plans")
	}
	var items []domain.VisitPlan
	next := ""
	switch {
	case manager != "" && month != "":
		plan, err := s.Store.GetPlan(ctx, domain.PlanID(month, manager))
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return domain.Page[domain.VisitPlan]{}, err
		}
		if plan != nil {
			items = append(items, *plan)
		}
	case manager != "":
		pg, err := s.Store.PlansOfManager(ctx, manager, 50, cursor)
		if err != nil {
			return pg, err
		}
		items, next = pg.Items, pg.NextCursor
	case month != "":
		all, err := s.Store.PlansOfMonth(ctx, month)
		if err != nil {
			return domain.Page[domain.VisitPlan]{}, err
		}
		items = all
	default:
		return domain.Page[domain.VisitPlan]{}, &domain.ValidationError{Fields: map[string]string{"month": "give month= or manager= 请指定月份或客户经理"}}
	}
	out := domain.Page[domain.VisitPlan]{Items: []domain.VisitPlan{}, NextCursor: next}
	var ids []string
	for _, pl := range items {
		if pl.ManagerID == p.Sub || domain.CanReviewPlan(p, pl.Department) {
			out.Items = append(out.Items, pl)
			ids = append(ids, pl.ID)
		}
	}
	return out, s.shown(ctx, p, "visit-plan", ids, fmt.Sprintf("manager=%s month=%s", manager, month))
}

// ProposeVisit proposes an ad-hoc visit to one of p's accounts; it waits
// for the supervisor's approval.
func (s *Service) ProposeVisit(ctx context.Context, p domain.Principal, d domain.VisitDraft) (*domain.Visit, error) {
	if !p.Has(domain.RoleManager) {
		return nil, domain.Forbidden("account managers propose visits")
	}
	a, err := s.ownAccount(ctx, p, d.CustomerID, "customerId")
	if err != nil {
		return nil, err
	}
	set, cal, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	v, err := domain.NewVisit(s.NewID("v"), d, a, "ad-hoc", "", p.Sub, s.Now(), cal, set.Visits)
	if err != nil {
		return nil, err
	}
	return v, s.Store.CreateVisit(ctx, v)
}

func (s *Service) visibleVisit(ctx context.Context, p domain.Principal, id string) (*domain.Visit, error) {
	if !domain.ValidID(id) {
		return nil, notFound("visit", id)
	}
	v, err := s.Store.GetVisit(ctx, id)
	if err != nil {
		return nil, err
	}
	if !domain.CanSeeVisit(p, v) {
		return nil, domain.Forbidden("this visit is another manager's")
	}
	return v, nil
}

func (s *Service) change(ctx context.Context, p domain.Principal, id, action string, apply func(v *domain.Visit, set domain.Settings, cal domain.SLA) error) (*domain.Visit, error) {
	v, err := s.visibleVisit(ctx, p, id)
	if err != nil {
		return nil, err
	}
	set, cal, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	version := v.Version
	if err := apply(v, set, cal); err != nil {
		return nil, err
	}
	audit := s.entry(ctx, p, "visit", v.ID, action)
	return v, s.Store.SaveVisit(ctx, v, version, &audit)
}

// ApproveVisit is the supervisor's approval of an ad-hoc visit.
func (s *Service) ApproveVisit(ctx context.Context, p domain.Principal, id string) (*domain.Visit, error) {
	return s.change(ctx, p, id, "approve", func(v *domain.Visit, _ domain.Settings, _ domain.SLA) error { return v.ApproveAdHoc(p, s.Now()) })
}

// Cancel cancels an open visit with a reason.
func (s *Service) Cancel(ctx context.Context, p domain.Principal, id, reason string) (*domain.Visit, error) {
	return s.change(ctx, p, id, "cancel", func(v *domain.Visit, _ domain.Settings, _ domain.SLA) error { return v.Cancel(reason, p, s.Now()) })
}

// ActionDone marks promised action n of visit id done (domain.ErrNotFound
// for an index out of range).
func (s *Service) ActionDone(ctx context.Context, p domain.Principal, id string, n int) (*domain.Visit, error) {
	return s.change(ctx, p, id, "action-done", func(v *domain.Visit, _ domain.Settings, _ domain.SLA) error { return v.ActionDone(n, p, s.Now()) })
}

// Reported is a visit with its report, and what became of the survey it asked for.
type Reported struct {
	*domain.Visit
	Survey string `json:"survey,omitempty"` // sent | recently-surveyed | no-contact | failed
}

// Report files the report of visit id (domain.Visit.FileReport: once, by
// its manager; late is accepted and marked). With survey, the account's
// contact is invited to rate the visit, under the 30-day rule.
func (s *Service) Report(ctx context.Context, p domain.Principal, id string, in domain.ReportInput, survey bool) (Reported, error) {
	v, err := s.change(ctx, p, id, "report", func(v *domain.Visit, set domain.Settings, cal domain.SLA) error {
		return v.FileReport(in, p, s.Now(), cal, set.Visits)
	})
	if err != nil {
		return Reported{}, err
	}
	out := Reported{Visit: v}
	if survey && s.Surveys != nil {
		a, err := s.Accounts.Get(ctx, v.CustomerID)
		if err == nil {
			var inv *domain.Invitation
			inv, err = s.Surveys.AfterVisit(ctx, v, a)
			if err == nil {
				out.Survey = "sent"
				_ = inv
			}
		}
		switch {
		case err == nil:
		case errors.Is(err, domain.ErrRecentlySurveyed):
			out.Survey = "recently-surveyed"
		case errors.As(err, new(*domain.ValidationError)):
			out.Survey = "no-contact"
		default:
			out.Survey = "failed"
			slog.ErrorContext(ctx, "visit: survey not sent", "visit", v.ID, "err", err.Error())
		}
	}
	return out, nil
}

// GetVisit reads visit id with its report; the read is on the access record.
func (s *Service) GetVisit(ctx context.Context, p domain.Principal, id string) (*domain.Visit, error) {
	v, err := s.visibleVisit(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.Audit.Put(ctx, s.entry(ctx, p, "visit", v.ID, domain.ActionRead)); err != nil {
		return nil, err
	}
	return v, nil
}

// Summary is a visit as listings show it: its status on today (overdue for
// a report past due) and, for a reported visit, when and whether late —
// the report itself is read (and recorded) through GetVisit.
type Summary struct {
	domain.Visit
	ListStatus domain.VisitStatus `json:"listStatus"`
	HappenedOn string             `json:"happenedOn,omitempty"`
	ReportLate bool               `json:"reportLate,omitempty"`
	Report     *struct{}          `json:"report,omitempty"`
}

func summary(v domain.Visit, today string) Summary {
	out := Summary{Visit: v, ListStatus: v.ListStatus(today)}
	if v.Report != nil {
		out.HappenedOn, out.ReportLate = v.Report.HappenedOn, v.Report.Late
	}
	out.Visit.Report = nil
	return out
}

// ListVisits returns a page of visits p may see (domain.ScopeVisits);
// reports are not shown in listings.
func (s *Service) ListVisits(ctx context.Context, p domain.Principal, q domain.VisitQuery) (domain.Page[Summary], error) {
	q, err := domain.ScopeVisits(p, q)
	if err != nil {
		return domain.Page[Summary]{}, err
	}
	if q.Customer != "" {
		if _, err := s.Files.Visible(ctx, p, q.Customer); err != nil {
			return domain.Page[Summary]{}, err
		}
	}
	if q.Manager != "" && !domain.ValidID(q.Manager) {
		return domain.Page[Summary]{}, &domain.ValidationError{Fields: map[string]string{"manager": "not a user id 用户标识无效"}}
	}
	_, cal, err := s.settings(ctx)
	if err != nil {
		return domain.Page[Summary]{}, err
	}
	pg, err := s.Store.ListVisits(ctx, q)
	if err != nil {
		return domain.Page[Summary]{}, err
	}
	today := cal.Today(s.Now())
	out := domain.Page[Summary]{Items: []Summary{}, NextCursor: pg.NextCursor}
	var ids []string
	for _, v := range pg.Items {
		if !domain.CanSeeVisit(p, &v) && q.Customer == "" {
			continue
		}
		if q.Status != "" && v.ListStatus(today) != q.Status {
			continue
		}
		out.Items = append(out.Items, summary(v, today))
		ids = append(ids, v.ID)
	}
	query := fmt.Sprintf("customer=%s manager=%s from=%s to=%s status=%s", q.Customer, q.Manager, q.From, q.To, q.Status)
	return out, s.shown(ctx, p, "visit", ids, query)
}

// Coverage lists, for the accounts p may see, their reported visits in
// period (YYYY-Qn, YYYY-Hn, YYYY-MM, YYYY) against their tier's minimum.
func (s *Service) Coverage(ctx context.Context, p domain.Principal, period string) ([]domain.Coverage, error) {
	from, to, err := domain.ParsePeriod(period)
	if err != nil {
		return nil, err
	}
	scope, err := domain.ScopeCustomers(p, domain.CustomerQuery{})
	if err != nil {
		return nil, err
	}
	set, cal, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	var accounts []domain.Customer
	for q := scope; ; {
		q.Limit = 100
		pg, err := s.Accounts.List(ctx, q)
		if err != nil {
			return nil, err
		}
		accounts = append(accounts, pg.Items...)
		if pg.NextCursor == "" {
			break
		}
		q.Cursor = pg.NextCursor
	}
	// The reported visits of every tier period overlapping the period.
	lo, hi := from, to
	for _, t := range []domain.Tier{domain.TierStrategic, domain.TierKey, domain.TierOrdinary} {
		ps := set.Visits.TierPeriodsOverlapping(t, from, to)
		lo, hi = min(lo, ps[0][0]), max(hi, ps[len(ps)-1][1])
	}
	visited := map[string][]string{}
	for m, _ := time.Parse(time.DateOnly, lo); m.Format(time.DateOnly) <= hi; m = m.AddDate(0, 1, 0) {
		vs, err := s.Store.ReportedIn(ctx, m.Format("2006-01"))
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			visited[v.CustomerID] = append(visited[v.CustomerID], v.Report.HappenedOn)
		}
	}
	today := cal.Today(s.Now())
	out := make([]domain.Coverage, 0, len(accounts))
	for i := range accounts {
		a := &accounts[i]
		if a.Status != domain.StatusActive || !domain.CanSeeCustomer(p, a) {
			continue
		}
		out = append(out, domain.CoverageOf(a, visited[a.ID], from, to, today, set.Visits))
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].BelowMinimum != out[j].BelowMinimum {
			return out[i].BelowMinimum
		}
		return out[i].CustomerID < out[j].CustomerID
	})
	// One entry under the reader: coverage shows names, tiers and visit
	// counts of every account in scope (thousands for an executive), not
	// the files themselves, so it is recorded as one listing.
	e := s.entry(ctx, p, "customer-list", p.Sub, domain.ActionList)
	e.Changes = []string{fmt.Sprintf("visit coverage period=%s rows=%d", period, len(out))}
	return out, s.Audit.Put(ctx, e)
}

// RecordEvent records a customer event and schedules its callbacks (a
// purchase or contract 3/30/60 days, an event 3/15 days). Recording the same
// type on the same date again schedules nothing twice (created false).
func (s *Service) RecordEvent(ctx context.Context, p domain.Principal, customerID string, e domain.CustomerEvent) (*domain.CustomerEvent, []domain.FollowUp, bool, error) {
	a, err := s.Files.Visible(ctx, p, customerID)
	if err != nil {
		return nil, nil, false, err
	}
	set, cal, err := s.settings(ctx)
	if err != nil {
		return nil, nil, false, err
	}
	now := s.Now()
	if err := e.Validate(cal.Today(now)); err != nil {
		return nil, nil, false, err
	}
	h := sha256.Sum256([]byte(a.ID + "#" + e.Type + "#" + e.Date))
	e.ID, e.CustomerID, e.By, e.At = hex.EncodeToString(h[:8]), a.ID, p.Sub, now.UTC()
	created, err := s.Store.PutEvent(ctx, &e)
	if err != nil {
		return nil, nil, false, err
	}
	fs := e.FollowUps(a, cal, set.Visits, now)
	for i := range fs {
		if _, err := s.FollowUps.Create(ctx, &fs[i]); err != nil {
			return nil, nil, false, err
		}
	}
	return &e, fs, created, nil
}

// PutRelationshipPlan writes account id's relationship plan (its manager;
// it waits for the supervisor's approval again).
func (s *Service) PutRelationshipPlan(ctx context.Context, p domain.Principal, id string, in domain.RelationshipInput) (*domain.RelationshipPlan, error) {
	a, err := s.Files.Visible(ctx, p, id)
	if err != nil {
		return nil, err
	}
	set, cal, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	plan, err := domain.NewRelationshipPlan(in, a, p, s.Now(), cal, set.Visits)
	if err != nil {
		return nil, err
	}
	version := 0
	if old, err := s.Store.GetRelationshipPlan(ctx, a.ID); err == nil {
		version = old.Version
	} else if !errors.Is(err, domain.ErrNotFound) {
		return nil, err
	}
	plan.Version = version + 1
	return plan, s.Store.PutRelationshipPlan(ctx, plan, version)
}

// GetRelationshipPlan reads account id's relationship plan; the read is in
// the account's trail.
func (s *Service) GetRelationshipPlan(ctx context.Context, p domain.Principal, id string) (*domain.RelationshipPlan, error) {
	plan, err := s.relationshipPlan(ctx, p, id)
	if err != nil {
		return nil, err
	}
	read := s.entry(ctx, p, "customer", plan.CustomerID, domain.ActionRead)
	read.Reason = "relationship plan"
	return plan, s.Audit.Put(ctx, read)
}

func (s *Service) relationshipPlan(ctx context.Context, p domain.Principal, id string) (*domain.RelationshipPlan, error) {
	a, err := s.Files.Visible(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return s.Store.GetRelationshipPlan(ctx, a.ID)
}

// ReviewRelationshipPlan approves or returns account id's relationship plan.
func (s *Service) ReviewRelationshipPlan(ctx context.Context, p domain.Principal, id string, approve bool, comment string) (*domain.RelationshipPlan, error) {
	plan, err := s.relationshipPlan(ctx, p, id)
	if err != nil {
		return nil, err
	}
	version := plan.Version
	if err := plan.Review(approve, comment, p, s.Now()); err != nil {
		return nil, err
	}
	return plan, s.Store.PutRelationshipPlan(ctx, plan, version)
}

func link(base, path string) string {
	if base == "" {
		return ""
	}
	return strings.TrimRight(base, "/") + path
}
