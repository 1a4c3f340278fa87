// Package template reads keycare's template.yaml the way the local runner
// needs it: the table, the queues, every function with its events and
// environment, with CloudFormation intrinsics (!Ref, !Sub, !GetAtt) resolved
// against the local resources.
package template

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Template is the parsed file.
type Template struct {
	Parameters map[string]string // defaults
	Globals    Globals
	Table      Table
	Queues     []Queue
	Functions  []Function
	HttpApis   []HttpApi
	// Types are every resource's type, by logical id (the local stack
	// gives resources it has no stand-in for, such as the user pool, a
	// placeholder name).
	Types map[string]string
	raw   map[string]rawResource
}

// Globals are the function defaults.
type Globals struct {
	Env     map[string]yaml.Node
	Timeout int // seconds; 0: Lambda's default of 3
}

// HttpApi is an AWS::Serverless::HttpApi.
type HttpApi struct {
	LogicalID string
	StageName string
	Cors      *Cors // nil: no CORS block
}

// Cors is an HttpApi's CORS block (x-amazon-apigateway-cors in its
// DefinitionBody). AllowOrigins may be an intrinsic
// (e.g. !Split of a parameter): resolve it with Resolver.ResolveList.
type Cors struct {
	AllowOrigins     yaml.Node
	AllowMethods     []string
	AllowHeaders     []string
	ExposeHeaders    []string
	MaxAge           int
	AllowCredentials bool
}

// Table is the DynamoDB table.
type Table struct {
	LogicalID  string
	Name       yaml.Node
	Attributes map[string]string // name -> S/N/B
	HashKey    string
	RangeKey   string
	GSIs       []GSI
	TTL        string
}

// GSI is a global secondary index.
type GSI struct {
	Name, HashKey, RangeKey string
}

// Queue is an SQS queue.
type Queue struct {
	LogicalID         string
	Name              yaml.Node
	VisibilityTimeout int
	DeadLetter        string // logical id of the DLQ
	MaxReceiveCount   int
}

// Function is a serverless function.
type Function struct {
	LogicalID string
	CodeURI   string
	Metadata  map[string]string
	Env       map[string]yaml.Node
	Timeout   int // seconds: its own, else Globals', else Lambda's 3
	Async     AsyncConfig
	Routes    []Route
	Queues    []QueueEvent
	Schedules []Schedule
}

// AsyncConfig is how Lambda handles the function's asynchronous invocations
// (a schedule's): EventInvokeConfig, with Lambda's defaults.
type AsyncConfig struct {
	MaxRetries int    // MaximumRetryAttempts (default 2)
	MaxAge     int    // MaximumEventAgeInSeconds (default 21600)
	OnFailure  string // logical id of the SQS queue of DestinationConfig.OnFailure, if any
}

// Route is an HttpApi event.
type Route struct {
	Event, Method, Path string
	Public              bool // Auth: Authorizer: NONE
}

// QueueEvent is an SQS event source.
type QueueEvent struct {
	Event, Queue       string // queue logical id
	BatchSize          int
	ReportFailures     bool
	MaximumConcurrency int // ScalingConfig; 0: none
}

// Schedule is a Schedule (EventBridge rule) or ScheduleV2 (EventBridge
// Scheduler) event.
type Schedule struct {
	Event, Expression string
	V2                bool
	Timezone          yaml.Node // ScheduleExpressionTimezone (V2); empty: UTC
	Input             yaml.Node // the payload template (V2); empty: none
	RetryAttempts     int       // RetryPolicy.MaximumRetryAttempts (V2; delivery retries)
	RetryMaxAge       int       // RetryPolicy.MaximumEventAgeInSeconds
	DeadLetter        string    // logical id of DeadLetterConfig's queue
}

type rawResource struct {
	Type       string    `yaml:"Type"`
	Metadata   yaml.Node `yaml:"Metadata"`
	Properties yaml.Node `yaml:"Properties"`
}

// Load parses path.
func Load(path string) (*Template, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	return Parse(b)
}

// Parse parses template text.
func Parse(b []byte) (*Template, error) {
	var doc struct {
		Parameters map[string]struct {
			Default string `yaml:"Default"`
		} `yaml:"Parameters"`
		Globals struct {
			Function struct {
				Timeout     int `yaml:"Timeout"`
				Environment struct {
					Variables map[string]yaml.Node `yaml:"Variables"`
				} `yaml:"Environment"`
			} `yaml:"Function"`
		} `yaml:"Globals"`
		Resources map[string]rawResource `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	t := &Template{Parameters: map[string]string{}, Types: map[string]string{}, raw: doc.Resources}
	for k, p := range doc.Parameters {
		t.Parameters[k] = p.Default
	}
	t.Globals.Env = doc.Globals.Function.Environment.Variables
	t.Globals.Timeout = doc.Globals.Function.Timeout
	ids := make([]string, 0, len(doc.Resources))
	for id := range doc.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r := doc.Resources[id]
		t.Types[id] = r.Type
		switch r.Type {
		case "AWS::DynamoDB::Table":
			if err := t.parseTable(id, &r.Properties); err != nil {
				return nil, err
			}
		case "AWS::SQS::Queue":
			if err := t.parseQueue(id, &r.Properties); err != nil {
				return nil, err
			}
		case "AWS::Serverless::Function":
			if err := t.parseFunction(id, r); err != nil {
				return nil, err
			}
		case "AWS::Serverless::HttpApi":
			if err := t.parseHttpApi(id, &r.Properties); err != nil {
				return nil, err
			}
		}
	}
	if t.Table.LogicalID == "" {
		return nil, fmt.Errorf("template: no AWS::DynamoDB::Table")
	}
	return t, nil
}

func (t *Template) parseTable(id string, n *yaml.Node) error {
	var p struct {
		TableName            yaml.Node `yaml:"TableName"`
		AttributeDefinitions []struct {
			AttributeName string `yaml:"AttributeName"`
			AttributeType string `yaml:"AttributeType"`
		} `yaml:"AttributeDefinitions"`
		KeySchema              []keyElem `yaml:"KeySchema"`
		GlobalSecondaryIndexes []struct {
			IndexName string    `yaml:"IndexName"`
			KeySchema []keyElem `yaml:"KeySchema"`
		} `yaml:"GlobalSecondaryIndexes"`
		TimeToLiveSpecification struct {
			AttributeName string `yaml:"AttributeName"`
		} `yaml:"TimeToLiveSpecification"`
	}
	if err := n.Decode(&p); err != nil {
		return fmt.Errorf("template: table %s: %w", id, err)
	}
	tb := Table{LogicalID: id, Name: p.TableName, Attributes: map[string]string{}, TTL: p.TimeToLiveSpecification.AttributeName}
	for _, a := range p.AttributeDefinitions {
		tb.Attributes[a.AttributeName] = a.AttributeType
	}
	tb.HashKey, tb.RangeKey = keys(p.KeySchema)
	for _, g := range p.GlobalSecondaryIndexes {
		h, r := keys(g.KeySchema)
		tb.GSIs = append(tb.GSIs, GSI{Name: g.IndexName, HashKey: h, RangeKey: r})
	}
	t.Table = tb
	return nil
}

type keyElem struct {
	AttributeName string `yaml:"AttributeName"`
	KeyType       string `yaml:"KeyType"`
}

func keys(ks []keyElem) (hash, rng string) {
	for _, k := range ks {
		if k.KeyType == "HASH" {
			hash = k.AttributeName
		} else {
			rng = k.AttributeName
		}
	}
	return
}

func (t *Template) parseQueue(id string, n *yaml.Node) error {
	var p struct {
		QueueName         yaml.Node `yaml:"QueueName"`
		VisibilityTimeout int       `yaml:"VisibilityTimeout"`
		RedrivePolicy     struct {
			DeadLetterTargetArn yaml.Node `yaml:"deadLetterTargetArn"`
			MaxReceiveCount     int       `yaml:"maxReceiveCount"`
		} `yaml:"RedrivePolicy"`
	}
	if err := n.Decode(&p); err != nil {
		return fmt.Errorf("template: queue %s: %w", id, err)
	}
	q := Queue{LogicalID: id, Name: p.QueueName, VisibilityTimeout: p.VisibilityTimeout, MaxReceiveCount: p.RedrivePolicy.MaxReceiveCount}
	if p.RedrivePolicy.DeadLetterTargetArn.Tag == "!GetAtt" {
		q.DeadLetter = strings.TrimSuffix(p.RedrivePolicy.DeadLetterTargetArn.Value, ".Arn")
	}
	t.Queues = append(t.Queues, q)
	return nil
}

func (t *Template) parseHttpApi(id string, n *yaml.Node) error {
	// CORS is API Gateway's own x-amazon-apigateway-cors in the OpenAPI
	// DefinitionBody, as template.yaml has it: SAM replaces a whole
	// CorsConfiguration with its AllowOrigins when that is an intrinsic.
	var p struct {
		StageName         string    `yaml:"StageName"`
		CorsConfiguration yaml.Node `yaml:"CorsConfiguration"`
		DefinitionBody    struct {
			Cors *struct {
				AllowOrigins     yaml.Node `yaml:"allowOrigins"`
				AllowMethods     []string  `yaml:"allowMethods"`
				AllowHeaders     []string  `yaml:"allowHeaders"`
				ExposeHeaders    []string  `yaml:"exposeHeaders"`
				MaxAge           int       `yaml:"maxAge"`
				AllowCredentials bool      `yaml:"allowCredentials"`
			} `yaml:"x-amazon-apigateway-cors"`
		} `yaml:"DefinitionBody"`
	}
	if err := n.Decode(&p); err != nil {
		return fmt.Errorf("template: http api %s: %w", id, err)
	}
	if !p.CorsConfiguration.IsZero() {
		return fmt.Errorf("template: http api %s: CorsConfiguration is not read here (SAM mangles one whose AllowOrigins is an intrinsic); put CORS in DefinitionBody's x-amazon-apigateway-cors", id)
	}
	api := HttpApi{LogicalID: id, StageName: p.StageName}
	if o := p.DefinitionBody.Cors; o != nil {
		api.Cors = &Cors{AllowOrigins: o.AllowOrigins, AllowMethods: o.AllowMethods, AllowHeaders: o.AllowHeaders,
			ExposeHeaders: o.ExposeHeaders, MaxAge: o.MaxAge, AllowCredentials: o.AllowCredentials}
	}
	t.HttpApis = append(t.HttpApis, api)
	return nil
}

// getAttQueue is the logical id X of "!GetAtt X.Arn".
func getAttQueue(n yaml.Node) string {
	if n.Tag == "!GetAtt" {
		return strings.TrimSuffix(n.Value, ".Arn")
	}
	return ""
}

func (t *Template) parseFunction(id string, r rawResource) error {
	var p struct {
		CodeURI     string `yaml:"CodeUri"`
		Timeout     int    `yaml:"Timeout"`
		Environment struct {
			Variables map[string]yaml.Node `yaml:"Variables"`
		} `yaml:"Environment"`
		EventInvokeConfig *struct {
			MaximumRetryAttempts     *int `yaml:"MaximumRetryAttempts"`
			MaximumEventAgeInSeconds int  `yaml:"MaximumEventAgeInSeconds"`
			DestinationConfig        struct {
				OnFailure struct {
					Type        string    `yaml:"Type"`
					Destination yaml.Node `yaml:"Destination"`
				} `yaml:"OnFailure"`
			} `yaml:"DestinationConfig"`
		} `yaml:"EventInvokeConfig"`
		Events map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				Method                     string    `yaml:"Method"`
				Path                       string    `yaml:"Path"`
				Queue                      yaml.Node `yaml:"Queue"`
				BatchSize                  int       `yaml:"BatchSize"`
				Schedule                   string    `yaml:"Schedule"`
				ScheduleExpression         string    `yaml:"ScheduleExpression"`
				ScheduleExpressionTimezone yaml.Node `yaml:"ScheduleExpressionTimezone"`
				Input                      yaml.Node `yaml:"Input"`
				RetryPolicy                struct {
					MaximumRetryAttempts     int `yaml:"MaximumRetryAttempts"`
					MaximumEventAgeInSeconds int `yaml:"MaximumEventAgeInSeconds"`
				} `yaml:"RetryPolicy"`
				DeadLetterConfig struct {
					Arn yaml.Node `yaml:"Arn"`
				} `yaml:"DeadLetterConfig"`
				FunctionResponseTypes []string `yaml:"FunctionResponseTypes"`
				ScalingConfig         struct {
					MaximumConcurrency int `yaml:"MaximumConcurrency"`
				} `yaml:"ScalingConfig"`
				Auth struct {
					Authorizer string `yaml:"Authorizer"`
				} `yaml:"Auth"`
			} `yaml:"Properties"`
		} `yaml:"Events"`
	}
	if err := r.Properties.Decode(&p); err != nil {
		return fmt.Errorf("template: function %s: %w", id, err)
	}
	var meta map[string]string
	_ = r.Metadata.Decode(&meta)
	f := Function{LogicalID: id, CodeURI: p.CodeURI, Metadata: meta, Env: p.Environment.Variables, Timeout: p.Timeout,
		Async: AsyncConfig{MaxRetries: 2, MaxAge: 21600}}
	if f.Timeout == 0 {
		f.Timeout = t.Globals.Timeout
	}
	if f.Timeout == 0 {
		f.Timeout = 3
	}
	if c := p.EventInvokeConfig; c != nil {
		if c.MaximumRetryAttempts != nil {
			f.Async.MaxRetries = *c.MaximumRetryAttempts
		}
		if c.MaximumEventAgeInSeconds > 0 {
			f.Async.MaxAge = c.MaximumEventAgeInSeconds
		}
		if c.DestinationConfig.OnFailure.Type == "SQS" {
			f.Async.OnFailure = getAttQueue(c.DestinationConfig.OnFailure.Destination)
		}
	}
	names := make([]string, 0, len(p.Events))
	for n := range p.Events {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		ev := p.Events[name]
		switch ev.Type {
		case "HttpApi":
			f.Routes = append(f.Routes, Route{Event: name, Method: ev.Properties.Method, Path: ev.Properties.Path,
				Public: ev.Properties.Auth.Authorizer == "NONE"})
		case "SQS":
			q := strings.TrimSuffix(ev.Properties.Queue.Value, ".Arn")
			bs := ev.Properties.BatchSize
			if bs == 0 {
				bs = 10
			}
			rf := false
			for _, x := range ev.Properties.FunctionResponseTypes {
				rf = rf || x == "ReportBatchItemFailures"
			}
			f.Queues = append(f.Queues, QueueEvent{Event: name, Queue: q, BatchSize: bs, ReportFailures: rf,
				MaximumConcurrency: ev.Properties.ScalingConfig.MaximumConcurrency})
		case "Schedule":
			f.Schedules = append(f.Schedules, Schedule{Event: name, Expression: ev.Properties.Schedule})
		case "ScheduleV2":
			pp := ev.Properties
			f.Schedules = append(f.Schedules, Schedule{Event: name, Expression: pp.ScheduleExpression, V2: true,
				Timezone: pp.ScheduleExpressionTimezone, Input: pp.Input,
				RetryAttempts: pp.RetryPolicy.MaximumRetryAttempts, RetryMaxAge: pp.RetryPolicy.MaximumEventAgeInSeconds,
				DeadLetter: getAttQueue(pp.DeadLetterConfig.Arn)})
		default:
			return fmt.Errorf("template: function %s event %s: type %s is not supported locally", id, name, ev.Type)
		}
	}
	t.Functions = append(t.Functions, f)
	return nil
}

// Resolver turns intrinsic values into local values.
type Resolver struct {
	Params map[string]string
	Refs   map[string]string // logical id -> !Ref value (table name, queue URL, ...)
	Attrs  map[string]string // "Id.Attr" -> !GetAtt value
}

// Resolve evaluates a scalar node: a plain value, !Ref, !Sub or !GetAtt.
func (r Resolver) Resolve(n yaml.Node) (string, error) {
	switch n.Tag {
	case "!Ref":
		if v, ok := r.Params[n.Value]; ok {
			return v, nil
		}
		if v, ok := r.Refs[n.Value]; ok {
			return v, nil
		}
		return "", fmt.Errorf("template: !Ref %s is unknown locally", n.Value)
	case "!GetAtt":
		if v, ok := r.Attrs[n.Value]; ok {
			return v, nil
		}
		return "", fmt.Errorf("template: !GetAtt %s is unknown locally", n.Value)
	case "!Sub":
		out, s := "", n.Value
		for {
			i := strings.Index(s, "${")
			if i < 0 {
				return out + s, nil
			}
			j := strings.Index(s[i:], "}")
			if j < 0 {
				return "", fmt.Errorf("template: bad !Sub %q", n.Value)
			}
			name := s[i+2 : i+j]
			v, ok := r.Params[name]
			if !ok {
				v, ok = r.Refs[name]
			}
			if !ok {
				v, ok = map[string]string{"AWS::Region": "us-east-1", "AWS::AccountId": "000000000000"}[name]
			}
			if !ok {
				return "", fmt.Errorf("template: !Sub ${%s} is unknown locally", name)
			}
			out += s[:i] + v
			s = s[i+j+1:]
		}
	default:
		return n.Value, nil
	}
}

// ResolveList evaluates a list node: a sequence of scalars, !Split of a
// delimiter and a value, or one scalar (a list of one).
func (r Resolver) ResolveList(n yaml.Node) ([]string, error) {
	switch {
	case n.Tag == "!Split" && n.Kind == yaml.SequenceNode && len(n.Content) == 2:
		v, err := r.Resolve(*n.Content[1])
		if err != nil {
			return nil, err
		}
		return strings.Split(v, n.Content[0].Value), nil
	case n.Kind == yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := r.Resolve(*c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case n.Kind == 0:
		return nil, nil
	default:
		v, err := r.Resolve(n)
		if err != nil {
			return nil, err
		}
		return []string{v}, nil
	}
}

// Function returns the function with that logical id.
func (t *Template) Function(id string) (Function, bool) {
	for _, f := range t.Functions {
		if f.LogicalID == id {
			return f, true
		}
	}
	return Function{}, false
}

// Environment resolves a function's variables: the globals, then its own.
func (t *Template) Environment(f Function, r Resolver) (map[string]string, error) {
	env := map[string]string{}
	for _, m := range []map[string]yaml.Node{t.Globals.Env, f.Env} {
		for k, n := range m {
			v, err := r.Resolve(n)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", f.LogicalID, k, err)
			}
			env[k] = v
		}
	}
	return env, nil
}
