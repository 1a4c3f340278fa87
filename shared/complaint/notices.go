package complaint

import (
	"context"
	"log/slog"
	"strings"

	"keycare/shared/domain"
	"keycare/shared/mail"
	"keycare/shared/staff"
)

// recipientsOf are the people of audience to for complaint c, through the
// directory: the supervisors of the account's department (all supervisors
// for an unlinked complaint), the handling department, the executives, the
// account's manager.
func recipientsOf(d *staff.Directory, to domain.Audience, c *domain.Complaint) []staff.Recipient {
	switch to {
	case domain.ToExecutive:
		return d.Executives()
	case domain.ToDepartment:
		return d.Department(c.Department)
	case domain.ToManager:
		if r, ok := d.Person(c.ManagerID); ok {
			return []staff.Recipient{r}
		}
		return nil
	case domain.ToOwner:
		if r := d.Department(c.Department); len(r) > 0 {
			return r
		}
	}
	return d.Supervisors(c.AccountDept)
}

// byLanguage groups recipients' addresses by their language.
func byLanguage(rs []staff.Recipient) map[string][]string {
	out := map[string][]string{}
	seen := map[string]bool{}
	for _, r := range rs {
		if seen[r.Email] {
			continue
		}
		seen[r.Email] = true
		l := r.Language
		if l != "en" {
			l = "zh"
		}
		out[l] = append(out[l], r.Email)
	}
	return out
}

// caseOf is what staff notices in lang show of c, with the names the
// directory and the settings know.
func caseOf(d *staff.Directory, set domain.Settings, c *domain.Complaint, base, lang string) mail.Case {
	cs := mail.CaseOf(c, strings.TrimRight(base, "/")+"/console/complaints/"+c.Number)
	cs.Manager = d.Name(c.ManagerID)
	if c.Department != "" {
		cs.DepartmentName = set.DepartmentName(c.Department, lang)
	}
	return cs
}

// tellStaff sends the notices domain.NoticesAfter lists for action a on c,
// each reader in their language. The step is stored: a notice that cannot
// be queued (nor kept) is logged, not returned.
func (s *Service) tellStaff(ctx context.Context, a domain.Action, c *domain.Complaint, base string) {
	notices := domain.NoticesAfter(a, c)
	if len(notices) == 0 || s.Directory == nil {
		return
	}
	dir, err := s.Directory.Directory(ctx)
	if err != nil {
		slog.ErrorContext(ctx, "complaint: directory unavailable, staff notices not sent", "number", c.Number, "err", err.Error())
		return
	}
	set, err := s.Settings.Current(ctx)
	if err != nil {
		slog.ErrorContext(ctx, "complaint: settings unavailable, staff notices not sent", "number", c.Number, "err", err.Error())
		return
	}
	by := ""
	if n := len(c.History); n > 0 {
		by = dir.Name(c.History[n-1].Actor)
	}
	for _, n := range notices {
		for lang, to := range byLanguage(recipientsOf(dir, n.To, c)) {
			d := noticeData(n, c, caseOf(dir, set, c, s.base(base), lang), by)
			if d == nil {
				continue
			}
			m, err := mail.Compose(mail.Envelope{To: to, Lang: lang, Zone: c.SLA.Location(), Now: s.Now()}, d)
			if err == nil {
				err = s.Mail.Send(ctx, m)
			}
			if err != nil {
				slog.ErrorContext(ctx, "complaint: staff notice not queued", "number", c.Number, "kind", n.Kind, "err", err.Error())
			}
		}
	}
}

// noticeData is the mail data of notice n about c (nil for an unknown kind).
func noticeData(n domain.StaffNotice, c *domain.Complaint, cs mail.Case, by string) mail.Data {
	{
		var d mail.Data
		switch n.Kind {
		case "complaint-new":
			d = mail.NewComplaint{Case: cs, Channel: c.Channel, Request: c.Request, ForManager: n.To == domain.ToManager}
		case "complaint-assigned":
			d = mail.ComplaintAssigned{Case: cs, Opinion: c.HandlingOpinion, By: by}
		case "complaint-review":
			inv := c.Investigation
			if inv == nil {
				inv = &domain.Investigation{}
			}
			d = mail.ComplaintForReview{Case: cs, Conclusion: inv.Conclusion, CompanyAtFault: inv.CompanyAtFault, By: by}
		case "complaint-approval":
			comment := ""
			if n := len(c.History); n > 0 {
				comment = c.History[n-1].Comment
			}
			d = mail.ComplaintForApproval{Case: cs, ReviewedBy: by, Comment: comment}
		}
		return d
	}
}
