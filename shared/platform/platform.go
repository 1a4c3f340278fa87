// Package platform builds what a Lambda needs once per cold start: its
// configuration from environment variables (set in template.yaml, and by the
// local runner under the same names), the AWS clients, the logger and clock.
package platform

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"keycare/shared/domain"
)

// Config is a function's configuration.
type Config struct {
	Stage          string
	Table          string
	TimeZone       string
	MailQueueURL   string
	SurveyQueueURL string
	SenderEmail    string
	// SESRegion is the region of the mailer's SES client; empty: the function's own.
	SESRegion     string
	PublicBaseURL string
	// BasePath is a custom-domain mapping prefix stripped from request paths.
	BasePath string
	// Where staff notices go (ComplaintEscalationFunction).
	SupervisorEmails string
	ExecutiveEmails  string
	DepartmentEmails string
	// Strategic accounts are surveyed every this many months (3 = quarterly like the others).
	StrategicSurveyMonths int
	// The complaint clock: holidays and weekend days worked (YYYY-MM-DD).
	Holidays, WorkingWeekendDays []string
}

// ConfigFromEnv reads the variables template.yaml sets.
func ConfigFromEnv() (Config, error) { return ConfigFrom(os.Getenv) }

// ConfigFrom reads the configuration through getenv. TABLE_NAME is required;
// the rest have defaults or are checked by the functions using them.
func ConfigFrom(getenv func(string) string) (Config, error) {
	c := Config{
		Stage:          getenv("STAGE"),
		Table:          getenv("TABLE_NAME"),
		TimeZone:       getenv("TIME_ZONE"),
		MailQueueURL:   getenv("MAIL_QUEUE_URL"),
		SurveyQueueURL: getenv("SURVEY_QUEUE_URL"),
		SenderEmail:    getenv("SENDER_EMAIL"),
		SESRegion:      getenv("SES_REGION"),
		PublicBaseURL:  getenv("PUBLIC_BASE_URL"),
		BasePath:       getenv("BASE_PATH"),

		SupervisorEmails: getenv("SUPERVISOR_EMAILS"),
		ExecutiveEmails:  getenv("EXECUTIVE_EMAILS"),
		DepartmentEmails: getenv("DEPARTMENT_EMAILS"),
	}
	c.Holidays, c.WorkingWeekendDays = dates(getenv("HOLIDAYS")), dates(getenv("WORKING_WEEKEND_DAYS"))
	if err := c.SLA().Validate(); err != nil {
		return c, fmt.Errorf("platform: HOLIDAYS / WORKING_WEEKEND_DAYS: %w", err)
	}
	c.StrategicSurveyMonths = 3
	if v := getenv("STRATEGIC_SURVEY_MONTHS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 12 {
			return c, fmt.Errorf("platform: STRATEGIC_SURVEY_MONTHS %q is not 1–12", v)
		}
		c.StrategicSurveyMonths = n
	}
	if c.Table == "" {
		return c, fmt.Errorf("platform: TABLE_NAME is not set")
	}
	if c.TimeZone == "" {
		c.TimeZone = domain.Defaults().TimeZone
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return c, fmt.Errorf("platform: TIME_ZONE %q: %w", c.TimeZone, err)
	}
	return c, nil
}

func dates(s string) []string {
	var out []string
	for _, d := range strings.Split(s, ",") {
		if d = strings.TrimSpace(d); d != "" {
			out = append(out, d)
		}
	}
	return out
}

// SLA is the complaint clock new complaints are opened under: domain.md's
// defaults with this deployment's time zone and holidays.
func (c Config) SLA() domain.SLA {
	s := domain.DefaultSLA(c.TimeZone)
	s.Holidays, s.ExtraWorkingDays = c.Holidays, c.WorkingWeekendDays
	return s
}

// Settings are the domain defaults with this deployment's time zone.
func (c Config) Settings() domain.Settings {
	s := domain.Defaults()
	s.TimeZone = c.TimeZone
	return s
}

// Endpoints point the clients at local stand-ins; empty means AWS.
type Endpoints struct {
	DynamoDB, SQS, SES string
	// SESRegion overrides the SES client's region (SES is not offered in
	// every region; SES_REGION); empty keeps the configured one.
	SESRegion string
}

// Clients are the AWS clients a function may use.
type Clients struct {
	DynamoDB *dynamodb.Client
	SQS      *sqs.Client
	SES      *sesv2.Client
}

// LocalCredentials are the fixed credentials of the local stack. DynamoDB
// Local keeps one database per access key and region, so every local client
// must use these.
var LocalCredentials = credentials.NewStaticCredentialsProvider("keycare", "local", "")

// LocalRegion is the region every local client uses.
const LocalRegion = "us-east-1"

// NewClients builds the clients from the default AWS configuration, or for
// the local stack when ep names endpoints.
func NewClients(ctx context.Context, ep Endpoints) (Clients, error) {
	var opts []func(*config.LoadOptions) error
	if ep.DynamoDB != "" || ep.SQS != "" || ep.SES != "" {
		opts = append(opts, config.WithRegion(LocalRegion), config.WithCredentialsProvider(LocalCredentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return Clients{}, fmt.Errorf("platform: aws config: %w", err)
	}
	return Clients{
		DynamoDB: dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
			setEndpoint(&o.BaseEndpoint, ep.DynamoDB)
			// DynamoDB Local sends a CRC32 header that does not match some
			// BatchGetItem bodies; AWS's does. Check it only against AWS.
			o.DisableValidateResponseChecksum = ep.DynamoDB != ""
		}),
		SQS: sqs.NewFromConfig(cfg, func(o *sqs.Options) { setEndpoint(&o.BaseEndpoint, ep.SQS) }),
		SES: sesv2.NewFromConfig(cfg, func(o *sesv2.Options) {
			setEndpoint(&o.BaseEndpoint, ep.SES)
			if ep.SESRegion != "" {
				o.Region = ep.SESRegion
			}
		}),
	}, nil
}

func setEndpoint(dst **string, url string) {
	if url != "" {
		*dst = aws.String(url)
	}
}

// InitLogger makes JSON structured logging the default.
func InitLogger() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo})))
}

// Must stops a cold start that cannot go on, with a log line saying why.
func Must[T any](v T, err error) T {
	if err != nil {
		slog.Error("cold start failed", "err", err.Error())
		os.Exit(1)
	}
	return v
}

// ColdStart builds a Lambda's dependencies from its environment, once, at
// cold start: JSON logs, configuration, AWS clients, the real clock. A
// function that cannot be configured stops with a log line saying why.
func ColdStart() Deps {
	InitLogger()
	cfg := Must(ConfigFromEnv())
	clients := Must(NewClients(context.Background(), Endpoints{SESRegion: cfg.SESRegion}))
	return Deps{Config: cfg, Clients: clients, Now: time.Now}
}
