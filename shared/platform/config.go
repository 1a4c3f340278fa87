// Package platform wires keycare's functions: their configuration from the
// environment template.yaml sets (the local runner sets the same names),
// the AWS clients behind the small interfaces the packages consume, and the
// function registry (logical id -> how to build its handler) that
// functions/*/main.go, the local runner and the bench all use.
package platform

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"time"

	"keycare/shared/domain"
)

// Config is a function's deployment configuration: only what must exist
// before the table does. Every number of domain.md is a setting in the
// table (package settings).
type Config struct {
	Stage          string
	Table          string
	TimeZone       string // the company's; the schedules fire in it
	MailQueueURL   string
	SurveyQueueURL string
	SenderEmail    string
	// SESRegion is the region of the mailer's SES client; empty: the function's own.
	SESRegion string
	// SESSendRate is the account's SES send rate (recipients a second) and
	// MailConcurrency how many mailers run at once (the mail trigger's
	// MaximumConcurrency): each mailer sends to at most SESSendRate /
	// MailConcurrency recipients a second (SES counts recipients). Zero:
	// no pacing.
	SESSendRate     float64
	MailConcurrency int
	PublicBaseURL   string
	// BasePath is a custom-domain mapping prefix stripped from request paths.
	BasePath string
	// Fallback addresses of staff notices while the staff directory names
	// nobody for a role (SupervisorEmails, ExecutiveEmails, DepartmentEmails).
	SupervisorEmails string
	ExecutiveEmails  string
	DepartmentEmails string
	ReportRecipients string // the company report's addresses while the directory names no executive
	// The staff console's sign-in (ConsoleFunction): the user pool's
	// managed-login domain and issuer, and the console's public base
	// (ConsoleUrl; empty: the API's own URL). The app client's id reaches
	// the function as an API stage variable, not here (see template.yaml).
	CognitoDomain string
	CognitoIssuer string
	ConsoleURL    string
	// LocalSignIn turns on the console's local-only sign-in page. Only the
	// local runner sets it; no environment variable does, so a deployed
	// function cannot have the page.
	LocalSignIn bool
}

// ConfigFromEnv reads the variables template.yaml sets.
func ConfigFromEnv() (Config, error) { return ConfigFrom(os.Getenv) }

// ConfigFrom reads the configuration through getenv. TABLE_NAME is
// required; TIME_ZONE defaults to Asia/Shanghai and must be a known zone.
func ConfigFrom(getenv func(string) string) (Config, error) {
	c := Config{
		Stage:            getenv("STAGE"),
		Table:            getenv("TABLE_NAME"),
		TimeZone:         getenv("TIME_ZONE"),
		MailQueueURL:     getenv("MAIL_QUEUE_URL"),
		SurveyQueueURL:   getenv("SURVEY_QUEUE_URL"),
		SenderEmail:      getenv("SENDER_EMAIL"),
		SESRegion:        getenv("SES_REGION"),
		PublicBaseURL:    getenv("PUBLIC_BASE_URL"),
		BasePath:         getenv("BASE_PATH"),
		SupervisorEmails: getenv("SUPERVISOR_EMAILS"),
		ExecutiveEmails:  getenv("EXECUTIVE_EMAILS"),
		DepartmentEmails: getenv("DEPARTMENT_EMAILS"),
		ReportRecipients: getenv("REPORT_RECIPIENTS"),
		CognitoDomain:    getenv("COGNITO_DOMAIN"),
		CognitoIssuer:    getenv("COGNITO_ISSUER"),
		ConsoleURL:       getenv("CONSOLE_URL"),
	}
	if c.Table == "" {
		return c, fmt.Errorf("platform: TABLE_NAME is not set")
	}
	if v := getenv("SES_SEND_RATE"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || !(r > 0) || math.IsInf(r, 0) {
			return c, fmt.Errorf("platform: SES_SEND_RATE %q: want a positive number of recipients a second", v)
		}
		c.SESSendRate = r
	}
	if v := getenv("MAIL_CONCURRENCY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return c, fmt.Errorf("platform: MAIL_CONCURRENCY %q: want a whole number of at least 1", v)
		}
		c.MailConcurrency = n
	}
	if c.TimeZone == "" {
		c.TimeZone = domain.DefaultTimeZone
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return c, fmt.Errorf("platform: TIME_ZONE %q: %w", c.TimeZone, err)
	}
	return c, nil
}

// SendInterval is one mailer's time per recipient: the account's SES send
// rate shared by the mailers that run at once; zero when no rate is set.
func (c Config) SendInterval() time.Duration {
	if c.SESSendRate <= 0 {
		return 0
	}
	return time.Duration(float64(max(c.MailConcurrency, 1)) / c.SESSendRate * float64(time.Second))
}
