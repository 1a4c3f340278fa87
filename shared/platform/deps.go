package platform

import (
	"time"

	"keycare/shared/api"
	"keycare/shared/domain"
	"keycare/shared/escalation"
	"keycare/shared/mail"
	"keycare/shared/queue"
	"keycare/shared/store"
	"keycare/shared/survey"
)

// Deps is everything a function is wired from: configuration, clients and
// the clock. In Lambda the clock is time.Now; the local runner moves it.
// Each function's main.go and the local runner build handlers with the
// methods below, so both run the same wiring.
type Deps struct {
	Config  Config
	Clients Clients
	Now     func() time.Time
}

// Store is the repository on the configured table.
func (d Deps) Store() *store.Store { return store.New(d.Clients.DynamoDB, d.Config.Table) }

// SLA is the complaint clock new complaints are opened under.
func (d Deps) SLA() domain.SLA { return d.Config.SLA() }

// Outbox queues email on the mail queue, keeping what it cannot queue.
func (d Deps) Outbox() mail.ReliableOutbox {
	return mail.ReliableOutbox{Outbox: mail.QueueOutbox{Queue: queue.New(d.Clients.SQS, d.Config.MailQueueURL)}, Pending: d.Store(), Now: d.Now}
}

// CustomersAPI is the handler of CustomersFunction.
func (d Deps) CustomersAPI() *api.Customers {
	return &api.Customers{Store: d.Store(), Now: d.Now, Settings: d.Config.Settings()}
}

// PublicComplaintsAPI is the handler of PublicComplaintsFunction.
func (d Deps) PublicComplaintsAPI() *api.PublicComplaints {
	return &api.PublicComplaints{Store: d.Store(), Mail: d.Outbox(), Now: d.Now, SLA: d.SLA(), BaseURL: d.Config.PublicBaseURL}
}

// ComplaintsAPI is the handler of ComplaintsFunction.
func (d Deps) ComplaintsAPI() *api.Complaints {
	st := d.Store()
	return &api.Complaints{Store: st, Customers: st, Mail: d.Outbox(), Surveys: d.Surveys(), Now: d.Now, SLA: d.SLA(), BaseURL: d.Config.PublicBaseURL}
}

// Surveys is the survey programme: invitations, reminders, the processor.
func (d Deps) Surveys() *survey.Service {
	s := domain.DefaultSurveySettings()
	s.StrategicMonths = d.Config.StrategicSurveyMonths
	loc, err := time.LoadLocation(d.Config.TimeZone)
	if err != nil {
		loc = d.SLA().Location()
	}
	sup, _ := escalation.ParseDirectory(d.Config.SupervisorEmails, "", "", "zh")
	return &survey.Service{Store: d.Store(), Mail: d.Outbox(), Now: d.Now, Settings: s, Location: loc, BaseURL: d.Config.PublicBaseURL, Supervisors: sup.Supervisors}
}

// PublicSurveysAPI is the handler of PublicSurveysFunction.
func (d Deps) PublicSurveysAPI() *api.PublicSurveys {
	return &api.PublicSurveys{Store: d.Store(), Queue: queue.New(d.Clients.SQS, d.Config.SurveyQueueURL), Now: d.Now}
}

// SurveysAPI is the handler of SurveysFunction.
func (d Deps) SurveysAPI() *api.Surveys {
	s := d.Surveys()
	return &api.Surveys{Store: d.Store(), Inviter: s, Now: d.Now, Loc: s.Location, BaseURL: d.Config.PublicBaseURL}
}

// Escalator is the handler of ComplaintEscalationFunction.
func (d Deps) Escalator() (*escalation.Escalator, error) {
	dir, err := escalation.ParseDirectory(d.Config.SupervisorEmails, d.Config.ExecutiveEmails, d.Config.DepartmentEmails, "zh")
	if err != nil {
		return nil, err
	}
	return &escalation.Escalator{Store: d.Store(), Mail: d.Outbox(), Directory: dir, Now: d.Now}, nil
}

// Mailer is the handler of MailerFunction.
func (d Deps) Mailer() *mail.Mailer {
	return &mail.Mailer{SES: d.Clients.SES, From: d.Config.SenderEmail, Sent: d.Store(), Queue: d.Clients.SQS, QueueURL: d.Config.MailQueueURL}
}
