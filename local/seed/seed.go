// Package seed makes up a company's history — key accounts and their
// managers, complaints driven through the workflow, survey invitations and
// answers, contracts with renewals, monthly business volume — from a fixed
// seed, and writes it straight through the store (fast: no HTTP). The bench,
// the report's property test and the report screenshots use it.
package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"sync"
	"time"

	"keycare/shared/domain"
	"keycare/shared/store"
)

// Options size a company and its history.
type Options struct {
	Seed               uint64
	Zone               string       // the company's time zone
	Accounts           int          // key-account files
	Managers           int          // account managers (m01…)
	Departments        int          // departments (d1…), each with a supervisor
	From, To           domain.Month // the months of history, inclusive
	ComplaintsPerMonth int
	AnswersPerMonth    int       // about 1.25 invitations are sent per answer
	Now                time.Time // nothing happens after it
	Staff              int       // staff members complaints can name responsible (s01…)
	VisitsPerMonth     int       // visits scheduled a month (about 85% in the managers' plans, the rest ad hoc); follow-ups about half as many
}

// Data is the history made up.
type Data struct {
	Zone        *time.Location
	Customers   []domain.Customer
	Staff       []domain.StaffMember
	Complaints  []domain.Complaint
	Invitations []domain.Invitation
	Responses   []domain.SurveyResponse
	Contracts   []domain.ContractRecord
	Volume      []domain.Volume
	Plans       []domain.VisitPlan
	Visits      []domain.Visit
	FollowUps   []domain.FollowUp
	// LastVisits, when set, are written as each account's last visit
	// instead of what the reported visits make (a table holding part of
	// the history, as the whole one has them).
	LastVisits map[string]string
}

type gen struct {
	o   Options
	r   *rand.Rand
	loc *time.Location
	d   *Data
	seq map[int]int
}

// Generate makes up the history o describes; the same options give the
// same history.
func Generate(o Options) *Data {
	loc, err := time.LoadLocation(o.Zone)
	if err != nil {
		panic(err)
	}
	g := &gen{o: o, r: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)), loc: loc, d: &Data{Zone: loc}, seq: map[int]int{}}
	g.people()
	for m := o.From; !o.To.Before(m); m = m.Add(1) {
		g.month(m)
	}
	g.afterComplaints()
	g.contracts()
	return g.d
}

// afterComplaints invites some complainants to rate the handling when
// their complaint closes.
func (g *gen) afterComplaints() {
	for i := range g.d.Complaints {
		c := &g.d.Complaints[i]
		if c.ClosedAt == nil || c.CustomerID == "" || g.r.IntN(5) >= 2 {
			continue
		}
		created := c.ClosedAt.Add(time.Minute)
		if !created.Before(g.o.Now) {
			continue
		}
		in := domain.Invitation{Token: "after-" + c.Number, CustomerID: c.CustomerID, CustomerName: c.CustomerName, ManagerID: c.ManagerID,
			Department: c.AccountDept, Tier: c.AccountTier, Reason: domain.SurveyAfterComplaint, ComplaintNumber: c.Number, ContactName: "王先生",
			ContactEmail: "after-" + c.Number + "@example.com", Language: "zh", CreatedBy: "seed", CreatedAt: created, ExpiresAt: created.Add(30 * 24 * time.Hour)}
		if g.r.IntN(10) < 7 {
			at := created.Add(time.Duration(g.r.Int64N(int64(5 * 24 * time.Hour))))
			if at.Before(g.o.Now) {
				in.AnsweredAt = &at
				g.d.Responses = append(g.d.Responses, in.ResponseTo(domain.Answer{Overall: 1 + g.r.IntN(5), Recommend: g.r.IntN(11)}, at, g.loc))
			}
		}
		g.d.Invitations = append(g.d.Invitations, in)
	}
}

func (g *gen) people() {
	at := g.o.From.Start(g.loc).UTC()
	for d := 1; d <= g.o.Departments; d++ {
		g.d.Staff = append(g.d.Staff, domain.StaffMember{ID: fmt.Sprintf("sup%d", d), Name: fmt.Sprintf("主管%d", d), Email: fmt.Sprintf("sup%d@example.com", d),
			Department: fmt.Sprintf("d%d", d), Roles: []domain.Role{domain.RoleSupervisor}, Language: "zh", Active: true, Version: 1})
	}
	for m := 1; m <= g.o.Managers; m++ {
		lang := "zh"
		if m%7 == 0 {
			lang = "en"
		}
		g.d.Staff = append(g.d.Staff, domain.StaffMember{ID: fmt.Sprintf("m%02d", m), Name: fmt.Sprintf("经理%02d", m), Email: fmt.Sprintf("m%02d@example.com", m),
			Department: g.deptOf(m), Roles: []domain.Role{domain.RoleManager}, Language: lang, Active: true, Version: 1})
	}
	g.d.Staff = append(g.d.Staff, domain.StaffMember{ID: "ceo", Name: "总经理", Email: "ceo@example.com", Roles: []domain.Role{domain.RoleExecutive}, Language: "zh", Active: true, Version: 1})
	names := []string{"精工机械", "华东物流", "远航电子", "恒信化工", "新城建设", "东方纺织", "长江能源", "北辰医药", "海川食品", "星河通信"}
	for i := 0; i < g.o.Accounts; i++ {
		tier := domain.TierOrdinary
		switch x := g.r.IntN(100); {
		case x < 10:
			tier = domain.TierStrategic
		case x < 40:
			tier = domain.TierKey
		}
		m := 1 + i%max(g.o.Managers, 1)
		g.d.Customers = append(g.d.Customers, domain.Customer{ID: fmt.Sprintf("c%04d", i), Name: fmt.Sprintf("%s%s%d", "上海", names[i%len(names)], i),
			ManagerID: fmt.Sprintf("m%02d", m), Department: g.deptOf(m), Tier: tier, TierSource: domain.TierFromInput, Status: domain.StatusActive,
			CreatedBy: "seed", CreatedAt: at, UpdatedBy: "seed", UpdatedAt: at, Version: 1})
	}
}

func (g *gen) deptOf(manager int) string {
	return fmt.Sprintf("d%d", 1+(manager-1)%max(g.o.Departments, 1))
}

// at is a random moment of month m, now and then in its first or last hour
// (the edges a time-zone mistake would move to the wrong month).
func (g *gen) at(m domain.Month) time.Time {
	start, end := m.Start(g.loc), m.End(g.loc)
	switch g.r.IntN(20) {
	case 0:
		return start.Add(time.Duration(g.r.Int64N(int64(time.Hour))))
	case 1:
		return end.Add(-time.Duration(1 + g.r.Int64N(int64(time.Hour))))
	}
	return start.Add(time.Duration(g.r.Int64N(int64(end.Sub(start)))))
}

func (g *gen) pick(list []domain.Customer) *domain.Customer { return &list[g.r.IntN(len(list))] }

func (g *gen) month(m domain.Month) {
	sla := domain.DefaultSLA(g.o.Zone)
	depts := []string{"repair", "logistics", "billing", "quality"}
	for i := 0; i < g.o.ComplaintsPerMonth; i++ {
		recv := g.at(m).UTC()
		if !recv.Before(g.o.Now) {
			continue
		}
		c := domain.Complaint{Contact: domain.Contact{Name: "王先生", Phone: "13800000000"}, Channel: []domain.Channel{domain.ChannelWeb, domain.ChannelPhone, domain.ChannelLetter, domain.ChannelEmail, domain.ChannelVisit}[g.r.IntN(5)],
			Category: domain.Categories[g.r.IntN(len(domain.Categories))], Severity: domain.SeverityNormal, Request: domain.RequestOther, Description: "—",
			ReceivedAt: recv, Language: "zh", TrackingNonce: "seed"}
		if g.r.IntN(10) == 0 {
			c.Severity = domain.SeveritySerious
		}
		if g.r.IntN(10) != 0 && len(g.d.Customers) > 0 {
			c.LinkAccount(g.pick(g.d.Customers), "entered")
		} else {
			c.CustomerName = "来电客户"
		}
		year := domain.NumberYear(recv, g.loc)
		g.seq[year]++
		c.Number, c.Year, c.Seq = domain.FormatNumber(recv, g.loc, g.seq[year]), year, g.seq[year]
		c.Open(sla, "seed", domain.RoleSupervisor)
		g.drive(&c, depts)
		g.d.Complaints = append(g.d.Complaints, c)
	}
	g.surveys(m)
	g.visits(m)
	for i := range g.d.Customers {
		cu := &g.d.Customers[i]
		base := map[domain.Tier]int64{domain.TierStrategic: 2_000_000, domain.TierKey: 500_000, domain.TierOrdinary: 80_000}[cu.Tier]
		if m.Start(g.loc).After(g.o.Now) {
			continue
		}
		g.d.Volume = append(g.d.Volume, domain.Volume{CustomerID: cu.ID, Month: m.String(), Amount: base/2 + g.r.Int64N(base), ManagerID: cu.ManagerID,
			Department: cu.Department, Tier: cu.Tier, RecordedBy: "seed", RecordedAt: m.End(g.loc).UTC()})
	}
}

// drive takes a complaint through the workflow as far as time allows:
// most are closed (some late, some sent back once), a few rejected, the
// rest open at some step.
func (g *gen) drive(c *domain.Complaint, depts []string) {
	t := c.ReceivedAt
	step := func(a domain.Action, to domain.ComplaintStatus, d time.Duration, comment string) bool {
		next := t.Add(d)
		if !next.Before(g.o.Now) {
			return false
		}
		c.History = append(c.History, domain.Step{Action: a, Actor: "seed", Role: domain.RoleSupervisor, At: next, From: c.Status, To: to, Comment: comment})
		c.Status, c.Version, t = to, c.Version+1, next
		return true
	}
	minutes := func(lo, hi int) time.Duration { return time.Duration(lo+g.r.IntN(hi-lo+1)) * time.Minute }
	if g.r.IntN(25) == 0 {
		if step(domain.ActionReject, domain.StatusRejected, minutes(30, 600), "not ours") {
			c.RejectReason = "not ours"
		}
		return
	}
	if !step(domain.ActionAccept, domain.StatusAccepted, minutes(10, 600), "") {
		return
	}
	c.FirstResponseAt = &t
	dept := depts[g.r.IntN(len(depts))]
	if !step(domain.ActionAssign, domain.StatusAssigned, minutes(10, 600), dept+": 请核实处理") {
		return
	}
	c.Department, c.HandlingOpinion = dept, "请核实处理"
	stuck := 40 // one in stuck is still with the department: often for recent ones
	if g.o.Now.Sub(c.ReceivedAt) < 14*24*time.Hour {
		stuck = 6
	}
	if g.r.IntN(stuck) == 0 {
		return
	}
	rounds := 1
	if g.r.IntN(5) == 0 {
		rounds = 2
	}
	for i := 0; i < rounds; i++ {
		if !step(domain.ActionInvestigation, domain.StatusInvestigated, minutes(120, 2880), "") {
			return
		}
		fault := g.r.IntN(3) == 0
		c.ResponsibleFault = &fault
		c.Investigation = &domain.Investigation{Cause: "c", WhatHappened: "w", Responsible: "r", Conclusion: "c", Countermeasures: "m", CompanyAtFault: fault}
		if g.o.Staff > 0 && g.r.IntN(3) == 0 {
			c.Investigation.ResponsibleStaff = fmt.Sprintf("s%02d", 1+g.r.IntN(g.o.Staff))
		}
		if i+1 < rounds {
			if !step(domain.ActionReview, domain.StatusAssigned, minutes(60, 1440), "补充") {
				return
			}
			c.SentBack++
		}
	}
	if !step(domain.ActionReview, domain.StatusReviewed, minutes(60, 1440), "") {
		return
	}
	if c.Severity == domain.SeveritySerious && !step(domain.ActionApprove, domain.StatusApproved, minutes(60, 1440), "") {
		return
	}
	if !step(domain.ActionReply, domain.StatusReplied, minutes(30, 1440), "") {
		return
	}
	c.Reply = &domain.Reply{Text: "答复", Method: "written"}
	if !step(domain.ActionCallback, domain.StatusCalledBack, minutes(60, 2880), "ok") {
		return
	}
	c.Callback = &domain.Callback{Method: "phone", Result: "ok", Satisfied: g.r.IntN(5) != 0}
	if g.r.IntN(12) == 0 { // forgotten for a while: closed late
		t = t.Add(minutes(4*1440, 8*1440))
	}
	if step(domain.ActionClose, domain.StatusClosed, minutes(10, 600), "") {
		at := t
		c.ClosedAt = &at
	}
}

// visits makes month m's visit plans (approved on the last day of the
// month before), planned and ad-hoc visits — reported on time or late,
// cancelled, or never reported — and follow-ups, each only as far as Now.
func (g *gen) visits(m domain.Month) {
	if g.o.VisitsPerMonth == 0 || len(g.d.Customers) == 0 {
		return
	}
	cal, vs := domain.DefaultSLA(g.o.Zone), domain.DefaultVisitSettings()
	approved := m.Start(g.loc).Add(-6 * time.Hour).UTC()
	plans := map[string]*domain.VisitPlan{}
	var order []string
	days := m.End(g.loc).AddDate(0, 0, -1).Day()
	at := func(day string, hour int) time.Time {
		t, _ := time.ParseInLocation(time.DateOnly, day, g.loc)
		return t.Add(time.Duration(hour) * time.Hour).UTC()
	}
	addDays := func(day string, n int) string {
		t, _ := time.Parse(time.DateOnly, day)
		return t.AddDate(0, 0, n).Format(time.DateOnly)
	}
	for i := 0; i < g.o.VisitsPerMonth; i++ {
		c := g.pick(g.d.Customers)
		date := fmt.Sprintf("%s-%02d", m, 1+g.r.IntN(days))
		v := domain.Visit{ID: fmt.Sprintf("v%s-%05d", m, i), CustomerID: c.ID, CustomerName: c.Name, ManagerID: c.ManagerID, Department: c.Department,
			Date: date, Purpose: domain.PurposeCare, Source: "plan", Status: domain.VisitPlanned, ReportDue: cal.AddWorkingDaysToDate(date, vs.ReportWorkingDays),
			CreatedBy: "seed", CreatedAt: approved, UpdatedAt: approved, Version: 1}
		if g.r.IntN(100) < 15 {
			v.Source, v.CreatedAt = "ad-hoc", at(date, -24*(1+g.r.IntN(5)))
			v.UpdatedAt = v.CreatedAt
			if g.r.IntN(5) == 0 {
				v.Status = domain.VisitProposed // never approved
			} else {
				a := v.CreatedAt.Add(time.Duration(1+g.r.IntN(20)) * time.Hour)
				v.ApprovedBy, v.ApprovedAt = "seed", &a
			}
		}
		if !v.CreatedAt.Before(g.o.Now) || (v.ApprovedAt != nil && !v.ApprovedAt.Before(g.o.Now)) {
			continue
		}
		if v.Source == "plan" {
			if !approved.Before(g.o.Now) {
				continue
			}
			p := plans[c.ManagerID]
			if p == nil {
				p = &domain.VisitPlan{ID: domain.PlanID(m.String(), c.ManagerID), ManagerID: c.ManagerID, Department: c.Department, Month: m.String(),
					Status: domain.PlanApproved, SubmittedAt: approved.Add(-48 * time.Hour), ReviewedBy: "seed", ReviewedAt: &approved,
					CreatedAt: approved.Add(-48 * time.Hour), UpdatedAt: approved, Version: 2}
				plans[c.ManagerID] = p
				order = append(order, c.ManagerID)
			}
			v.PlanID = p.ID
			p.Items = append(p.Items, domain.PlanItem{CustomerID: c.ID, CustomerName: c.Name, Date: date, Purpose: v.Purpose, VisitID: v.ID})
		}
		switch x := g.r.IntN(100); {
		case v.Status == domain.VisitProposed:
		case x < 8: // cancelled the day before
			if cancel := at(date, -14); cancel.After(v.CreatedAt) && cancel.Before(g.o.Now) {
				v.Status, v.CancelReason, v.UpdatedAt, v.Version = domain.VisitCancelled, "客户改期", cancel, 2
			}
		case x < 88: // made on the day or a day or two later, reported 0–4 days after
			happened := addDays(date, []int{0, 0, 0, 0, 1, 2}[g.r.IntN(6)])
			reported := at(happened, 9+g.r.IntN(10)).Add(time.Duration(g.r.IntN(5)) * 24 * time.Hour)
			if !reported.Before(g.o.Now) {
				break
			}
			due := cal.AddWorkingDaysToDate(happened, vs.ReportWorkingDays)
			v.Status, v.UpdatedAt, v.Version = domain.VisitReported, reported, 2
			v.Report = &domain.VisitReport{HappenedOn: happened, Attendees: []string{"王经理"}, Learned: "—", ReportedBy: v.ManagerID, ReportedAt: reported,
				Due: due, Late: reported.In(g.loc).Format(time.DateOnly) > due}
		}
		g.d.Visits = append(g.d.Visits, v)
	}
	for _, id := range order {
		g.d.Plans = append(g.d.Plans, *plans[id])
	}
	kinds := []domain.FollowUpKind{domain.FollowUpPurchase, domain.FollowUpContract, domain.FollowUpEvent, domain.FollowUpHandover, domain.FollowUpPoorAnswer, domain.FollowUpGreeting}
	for i := 0; i < g.o.VisitsPerMonth/2; i++ {
		c := g.pick(g.d.Customers)
		due := g.at(m).UTC()
		f := domain.FollowUp{ID: fmt.Sprintf("f%s-%05d", m, i), Kind: kinds[g.r.IntN(len(kinds))], CustomerID: c.ID, CustomerName: c.Name, ManagerID: c.ManagerID,
			Department: c.Department, Reason: "seed", DueAt: due, CreatedAt: due.Add(-72 * time.Hour), Status: domain.FollowUpOpen}
		if !f.CreatedAt.Before(g.o.Now) {
			continue
		}
		if g.r.IntN(10) < 7 {
			done := due.Add(time.Duration(g.r.Int64N(int64(48 * time.Hour))))
			if done.Before(g.o.Now) {
				f.Status = domain.FollowUpDone
				f.Result = &domain.FollowUpResult{Method: "phone", Result: "—", Satisfied: true, By: c.ManagerID, At: done, Late: done.After(due.Add(24 * time.Hour))}
			}
		}
		g.d.FollowUps = append(g.d.FollowUps, f)
	}
}

func (g *gen) surveys(m domain.Month) {
	n := g.o.AnswersPerMonth * 5 / 4
	for i := 0; i < n && len(g.d.Customers) > 0; i++ {
		created := g.at(m).UTC()
		if !created.Before(g.o.Now) {
			continue
		}
		cu := g.pick(g.d.Customers)
		in := domain.Invitation{Token: fmt.Sprintf("%s-%06d-%s", m, i, strconv.FormatUint(g.r.Uint64(), 36)), CustomerID: cu.ID, CustomerName: cu.Name,
			ManagerID: cu.ManagerID, Department: cu.Department, Tier: cu.Tier, Reason: domain.SurveyPeriodic, ContactName: "联系人",
			ContactEmail: fmt.Sprintf("contact%d@example.com", i), Language: "zh", CreatedBy: "seed", CreatedAt: created, ExpiresAt: created.Add(30 * 24 * time.Hour)}
		if g.r.IntN(5) != 0 {
			at := created.Add(time.Duration(g.r.Int64N(int64(12 * 24 * time.Hour))))
			if at.Before(g.o.Now) {
				in.AnsweredAt = &at
				a := domain.Answer{Overall: 1 + g.r.IntN(5), Recommend: g.r.IntN(11)}
				if a.Overall < 4 && g.r.IntN(2) == 0 { // most customers are happy
					a.Overall = 4 + g.r.IntN(2)
				}
				if g.r.IntN(2) == 0 {
					a.Responsiveness, a.Quality, a.Professionalism = 1+g.r.IntN(5), 1+g.r.IntN(5), 1+g.r.IntN(5)
				}
				g.d.Responses = append(g.d.Responses, in.ResponseTo(a, at, g.loc))
			}
		}
		g.d.Invitations = append(g.d.Invitations, in)
	}
}

// contracts gives each account yearly contracts over the history and
// beyond it; four in five are renewed before they end.
func (g *gen) contracts() {
	first := g.o.From.Start(g.loc).AddDate(-1, 0, 0)
	last := g.o.To.End(g.loc).AddDate(1, 0, 0)
	n := 0
	for i := range g.d.Customers {
		cu := &g.d.Customers[i]
		start := first.AddDate(0, 0, g.r.IntN(365))
		prev := ""
		for start.Before(last) {
			end := start.AddDate(1, 0, -1)
			n++
			k := domain.ContractRecord{ID: fmt.Sprintf("k%05d", n), CustomerID: cu.ID, CustomerName: cu.Name, ManagerID: cu.ManagerID, Department: cu.Department,
				Tier: cu.Tier, Start: start.Format(time.DateOnly), End: end.Format(time.DateOnly), Value: 100_000 + g.r.Int64N(5_000_000), Renews: prev,
				CreatedBy: "seed", CreatedAt: start.AddDate(0, 0, -20).UTC()}
			if k.CreatedAt.After(g.o.Now) {
				break
			}
			if prev != "" {
				p := &g.d.Contracts[len(g.d.Contracts)-1]
				p.RenewedBy = k.ID
				at := k.CreatedAt
				p.RenewedAt = &at
			}
			g.d.Contracts = append(g.d.Contracts, k)
			if g.r.IntN(5) == 0 { // not renewed: the account is lost
				break
			}
			prev, start = k.ID, end.AddDate(0, 0, 1)
		}
	}
}

// Write stores d through the store's repositories, several writers at a
// time. Renewals are written as the contract they renew is marked: each
// contract after the one it renews.
func (d *Data) Write(ctx context.Context, st *store.Store, workers int) error {
	audit := func(entity, id, action string) domain.AuditEntry {
		return domain.AuditEntry{Entity: entity, EntityID: id, Action: action, Actor: "seed", At: time.Now().UTC(), RequestID: "seed-" + entity + "-" + id + "-" + action}
	}
	jobs := []func() error{}
	for i := range d.Staff {
		m := d.Staff[i]
		jobs = append(jobs, func() error { return st.Staff().Put(ctx, &m, 0, audit("staff", m.ID, "create")) })
	}
	for i := range d.Customers {
		c := d.Customers[i]
		jobs = append(jobs, func() error { return st.Customers().Create(ctx, &c, audit("customer", c.ID, "create"), nil) })
	}
	for i := range d.Complaints {
		c := d.Complaints[i]
		jobs = append(jobs, func() error { return st.Complaints().Put(ctx, &c) })
	}
	answered := map[string]domain.SurveyResponse{}
	for _, r := range d.Responses {
		answered[r.Token] = r
	}
	for i := range d.Invitations {
		in := d.Invitations[i]
		jobs = append(jobs, func() error {
			open := in
			open.AnsweredAt = nil
			if err := st.Surveys().CreateInvitation(ctx, &open, domain.InvitationClaim{}); err != nil {
				return err
			}
			if r, ok := answered[in.Token]; ok {
				return st.Surveys().RecordAnswer(ctx, r, nil)
			}
			return nil
		})
	}
	for i := range d.Plans {
		p := d.Plans[i]
		jobs = append(jobs, func() error { return st.Visits().PutPlan(ctx, &p, 0) })
	}
	for i := range d.FollowUps {
		f := d.FollowUps[i]
		jobs = append(jobs, func() error { _, err := st.FollowUps().Create(ctx, &f); return err })
	}
	// Each account's visits in one writer, by date: a reported visit moves
	// the account's last visit (a conditional write).
	visitsOf := map[string][]domain.Visit{}
	for _, v := range d.Visits {
		visitsOf[v.CustomerID] = append(visitsOf[v.CustomerID], v)
	}
	for _, list := range visitsOf {
		list := list
		jobs = append(jobs, func() error {
			for _, v := range list {
				if v.Status != domain.VisitReported {
					if err := st.Visits().CreateVisit(ctx, &v); err != nil {
						return err
					}
					continue
				}
				open := v
				open.Status, open.Report, open.Version, open.UpdatedAt = domain.VisitPlanned, nil, 1, v.CreatedAt
				if err := st.Visits().CreateVisit(ctx, &open); err != nil {
					return err
				}
				if d.LastVisits != nil {
					if err := st.Visits().SaveVisitOnly(ctx, &v, 1); err != nil {
						return err
					}
					continue
				}
				if err := st.Visits().SaveVisit(ctx, &v, 1, nil); err != nil {
					return err
				}
			}
			return nil
		})
	}
	for id, day := range d.LastVisits {
		id, day := id, day
		jobs = append(jobs, func() error { return st.Visits().SetLastVisit(ctx, id, day) })
	}
	for i := range d.Volume {
		v := d.Volume[i]
		jobs = append(jobs, func() error {
			return st.Contracts().PutVolume(ctx, &v, audit("customer", v.CustomerID+"-"+v.Month, "volume"))
		})
	}
	if err := run(jobs, workers); err != nil {
		return err
	}
	// Contracts in the order they were signed, so each renewal finds the one it renews.
	byCustomer := map[string][]domain.ContractRecord{}
	for _, k := range d.Contracts {
		byCustomer[k.CustomerID] = append(byCustomer[k.CustomerID], k)
	}
	jobs = jobs[:0]
	for _, list := range byCustomer {
		list := list
		sort.Slice(list, func(i, j int) bool { return list[i].Start < list[j].Start })
		jobs = append(jobs, func() error {
			for _, k := range list {
				k.RenewedBy, k.RenewedAt = "", nil
				if err := st.Contracts().Add(ctx, &k, audit("customer", k.CustomerID, k.ID)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return run(jobs, workers)
}

func run(jobs []func() error, workers int) error {
	if workers < 1 {
		workers = 1
	}
	ch := make(chan func() error)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				if err := j(); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	return first
}
