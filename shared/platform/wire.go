package platform

import (
	"context"
	"fmt"
	"strings"
	"time"

	"keycare/shared/audit"
	"keycare/shared/complaint"
	"keycare/shared/console"
	"keycare/shared/customer"
	"keycare/shared/domain"
	"keycare/shared/mail"
	"keycare/shared/queue"
	"keycare/shared/report"
	"keycare/shared/settings"
	"keycare/shared/staff"
	"keycare/shared/store"
	"keycare/shared/survey"
	"keycare/shared/visit"
)

// Deps is everything a function is wired from: configuration, clients and
// the clock. In Lambda the clock is time.Now; the local runner moves it.
type Deps struct {
	Config  Config
	Clients Clients
	Now     func() time.Time
}

// App is one function's services, built once per cold start from Deps:
// the store, the settings and staff directory (each read once and reused
// for a while), the outbox, and the capability services.
type App struct {
	Deps       Deps
	Store      *store.Store
	Settings   *settings.Service
	Staff      *staff.Service
	Outbox     mail.ReliableOutbox
	Customers  *customer.Service
	Complaints *complaint.Service
	Surveys    *survey.Service
	Visits     *visit.Service
	Reports    *report.Service
	Audit      *audit.Service
}

// Wire builds the services of a function. A fallback address that is not
// one (SupervisorEmails, ExecutiveEmails, DepartmentEmails,
// ReportRecipients) is an error at cold start, not a silently dropped notice.
func Wire(d Deps) (*App, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	fb, err := staff.ParseFallback(d.Config.SupervisorEmails, d.Config.ExecutiveEmails, d.Config.DepartmentEmails)
	if err != nil {
		return nil, fmt.Errorf("platform: %w", err)
	}
	reportTo, err := staff.ParseFallback("", d.Config.ReportRecipients, "")
	if err != nil {
		return nil, fmt.Errorf("platform: REPORT_RECIPIENTS: %w", err)
	}
	st := store.New(d.Clients.DynamoDB, d.Config.Table)
	a := &App{Deps: d, Store: st}
	a.Settings = settings.New(st.Settings(), d.Config.TimeZone, d.Now)
	a.Staff = &staff.Service{Store: st.Staff(), Audit: st.Audit(), Fallback: fb, Now: d.Now}
	a.Audit = &audit.Service{Store: st.Audit(), People: st.Staff(), Now: d.Now}
	a.Outbox = mail.ReliableOutbox{Outbox: mail.QueueOutbox{Queue: queue.New(d.Clients.SQS, d.Config.MailQueueURL)}, Keeper: st.Mail(), Now: d.Now,
		Parts: st.Mail()}
	a.Customers = &customer.Service{Store: st.Customers(), Audit: st.Audit(), Settings: a.Settings, Now: d.Now, NewID: func() string { return store.NewID("c") }}
	a.Surveys = &survey.Service{Store: st.Surveys(), Accounts: st.Customers(), Files: a.Customers, Complaints: st.Complaints(), Mail: a.Outbox,
		Settings: a.Settings, Directory: a.Staff, Audit: st.Audit(), Bases: st.Config(), Now: d.Now, BaseURL: d.Config.PublicBaseURL}
	a.Complaints = &complaint.Service{Store: st.Complaints(), Accounts: st.Customers(), Mail: a.Outbox, Surveys: a.Surveys, Directory: a.Staff,
		Settings: a.Settings, Keys: st.Keys(), Audit: st.Audit(), Limits: st.Limits(), Register: st.Register(), Now: d.Now, BaseURL: d.Config.PublicBaseURL}
	a.Visits = &visit.Service{Store: st.Visits(), FollowUps: st.FollowUps(), Handovers: st.Handovers(), Files: a.Customers, Accounts: st.Customers(),
		Audit: st.Audit(), Settings: a.Settings, Directory: a.Staff, People: a.Staff, Surveys: visitSurveys{a.Surveys}, Complaints: a.Complaints,
		Notifier: mail.Notifier{Once: st.Notices(), Outbox: a.Outbox}, Now: d.Now, NewID: store.NewID, BaseURL: d.Config.PublicBaseURL}
	a.Reports = &report.Service{Complaints: st.Complaints(), Surveys: st.Surveys(), Accounts: st.Contracts(), Snapshots: st.Reports(),
		Visits: a.Visits, Files: a.Customers, Audit: st.Audit(), Settings: a.Settings, Directory: a.Staff,
		Notifier: mail.Notifier{Once: st.Notices(), Outbox: a.Outbox}, Fallback: reportTo.Executives, Now: d.Now,
		NewID: func() string { return store.NewID("k") }}
	return a, nil
}

// visitSurveys invites a visited account's contact (reason visit, under the contact gap).
type visitSurveys struct{ s *survey.Service }

func (v visitSurveys) AfterVisit(ctx context.Context, vi *domain.Visit, a *domain.Customer) (*domain.Invitation, error) {
	return v.s.Invite(ctx, survey.InviteRequest{Customer: a, Reason: domain.SurveyAfterVisit, By: vi.ManagerID})
}

// Escalator is the hourly complaint run of ComplaintEscalationFunction.
func (a *App) Escalator() *complaint.Escalator {
	kept := []complaint.Requeuer{a.Outbox}
	if a.Deps.Config.SurveyQueueURL != "" {
		kept = append(kept, survey.KeptAnswers{Store: a.Store.Surveys(), Queue: a.SurveyQueue(), Now: a.Deps.Now})
	}
	return &complaint.Escalator{Store: a.Store.Complaints(), Register: a.Store.Register(), Notifier: mail.Notifier{Once: a.Store.Notices(), Outbox: a.Outbox},
		Kept: kept, Directory: a.Staff, Settings: a.Settings, Now: a.Deps.Now, BaseURL: a.Deps.Config.PublicBaseURL}
}

// Console is the staff console (ConsoleFunction); its monthly report is
// the report service's, as the API serves it.
func (a *App) Console() *console.Console {
	c := a.Deps.Config
	return &console.Console{Sessions: a.Store.Sessions(), Customers: a.Customers, Complaints: a.Complaints, Visits: a.Visits, Surveys: a.Surveys,
		Settings: a.Settings, Staff: a.Staff, Reports: console.ServiceReports{Service: a.Reports, Settings: a.Settings, Names: a.Staff, Now: a.Deps.Now}, Now: a.Deps.Now, BaseURL: c.PublicBaseURL, BasePath: strings.TrimSuffix(c.BasePath, "/"),
		Auth: console.Auth{Local: c.LocalSignIn, CognitoDomain: c.CognitoDomain, Issuer: c.CognitoIssuer, URL: c.ConsoleURL}}
}

// Mailer is the MailerFunction's sender; it needs the SES sender
// (platform.WithSES in its main).
func (a *App) Mailer() (*mail.Mailer, error) {
	if a.Deps.Clients.SES == nil {
		return nil, fmt.Errorf("platform: the mailer has no SES sender (platform.WithSES)")
	}
	return &mail.Mailer{SES: a.Deps.Clients.SES, From: a.Deps.Config.SenderEmail, Sent: a.Store.Mail(), Now: a.Deps.Now,
		Queue: a.Deps.Clients.SQS, QueueURL: a.Deps.Config.MailQueueURL, Parts: a.Store.Mail(), Interval: a.Deps.Config.SendInterval()}, nil
}

// SurveyQueue is where the survey page puts answers.
func (a *App) SurveyQueue() *queue.Queue {
	return queue.New(a.Deps.Clients.SQS, a.Deps.Config.SurveyQueueURL)
}
