package e2e

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/middleware"

	"keycare/local/testenv"
	"keycare/shared/platform"
	"keycare/shared/ses"
)

// call is one permission an SDK call needs: an IAM action on a resource
// and, for DynamoDB items, the record type (the partition key's prefix up to
// its first '#', what a dynamodb:LeadingKeys pattern "CMP#*" matches).
type call struct {
	Action   string // dynamodb:PutItem
	Resource string // table, index, queue:MailQueue, ses-identity
	Prefix   string // CMP# ("" when the call names no partition key)
}

func (c call) String() string {
	s := c.Action + " on " + c.Resource
	if c.Prefix != "" {
		s += " [" + c.Prefix + "*]"
	}
	return s
}

// calls records the permissions the SDK calls of a function need, through
// a middleware on each client: every call counts, failed ones too (IAM is
// checked before the call can fail).
type calls struct {
	mu     sync.Mutex
	seen   map[call]int
	queues map[string]string // URL -> logical id
	// fail, when set, makes a call fail after it is recorded (fault injection).
	fail func(op string, params any) error
}

func newCalls(env *testenv.Env) *calls {
	c := &calls{seen: map[call]int{}, queues: map[string]string{}}
	for id, url := range env.Resources.QueueURLs {
		c.queues[url] = id
	}
	return c
}

// clients are env's clients with the recorder on each.
func (c *calls) clients(env *testenv.Env) platform.Clients {
	mw := func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("iam-calls", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			op := awsmiddleware.GetOperationName(ctx)
			c.record(op, in.Parameters)
			if c.fail != nil {
				if err := c.fail(op, in.Parameters); err != nil {
					return middleware.InitializeOutput{}, middleware.Metadata{}, err
				}
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
	}
	return platform.Clients{
		DynamoDB: dynamodb.New(env.AWS.DynamoDB.Options(), func(o *dynamodb.Options) {
			o.APIOptions = append(append([]func(*middleware.Stack) error(nil), o.APIOptions...), mw)
		}),
		SQS: sqs.New(env.AWS.SQS.Options(), func(o *sqs.Options) {
			o.APIOptions = append(append([]func(*middleware.Stack) error(nil), o.APIOptions...), mw)
		}),
		SES: ses.Client(aws.Config{Region: platform.LocalRegion, Credentials: platform.LocalCredentials}, env.Emu.SES, "", func(o *sesv2.Options) {
			o.APIOptions = append(append([]func(*middleware.Stack) error(nil), o.APIOptions...), mw)
		}),
	}
}

func (c *calls) add(action, resource string, key map[string]ddbtypes.AttributeValue) {
	prefix := ""
	if key != nil {
		prefix = pkPrefix(key["PK"])
	}
	c.seen[call{action, resource, prefix}]++
}

func pkPrefix(v ddbtypes.AttributeValue) string {
	s, ok := v.(*ddbtypes.AttributeValueMemberS)
	if !ok {
		return "?"
	}
	if i := strings.Index(s.Value, "#"); i >= 0 {
		return s.Value[:i+1]
	}
	return s.Value
}

var keyCondPK = regexp.MustCompile(`(#?\w+)\s*=\s*(:\w+)`)

func (c *calls) record(op string, params any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch in := params.(type) {
	case *dynamodb.GetItemInput:
		c.add("dynamodb:GetItem", "table", in.Key)
	case *dynamodb.PutItemInput:
		c.add("dynamodb:PutItem", "table", in.Item)
	case *dynamodb.UpdateItemInput:
		c.add("dynamodb:UpdateItem", "table", in.Key)
	case *dynamodb.DeleteItemInput:
		c.add("dynamodb:DeleteItem", "table", in.Key)
	case *dynamodb.BatchGetItemInput:
		for _, ka := range in.RequestItems {
			for _, k := range ka.Keys {
				c.add("dynamodb:BatchGetItem", "table", k)
			}
		}
	case *dynamodb.TransactWriteItemsInput:
		// IAM checks each item's own action.
		for _, it := range in.TransactItems {
			switch {
			case it.Put != nil:
				c.add("dynamodb:PutItem", "table", it.Put.Item)
			case it.Update != nil:
				c.add("dynamodb:UpdateItem", "table", it.Update.Key)
			case it.Delete != nil:
				c.add("dynamodb:DeleteItem", "table", it.Delete.Key)
			case it.ConditionCheck != nil:
				c.add("dynamodb:ConditionCheckItem", "table", it.ConditionCheck.Key)
			}
		}
	case *dynamodb.QueryInput:
		if in.IndexName != nil {
			c.add("dynamodb:Query", "index", nil)
			break
		}
		// The partition key's value from "PK = :v" (or "#n = :v").
		key := map[string]ddbtypes.AttributeValue{}
		for _, m := range keyCondPK.FindAllStringSubmatch(*in.KeyConditionExpression, -1) {
			name := m[1]
			if n, ok := in.ExpressionAttributeNames[name]; ok {
				name = n
			}
			if name == "PK" {
				key["PK"] = in.ExpressionAttributeValues[m[2]]
			}
		}
		c.add("dynamodb:Query", "table", key)
	case *sqs.SendMessageInput:
		c.add("sqs:SendMessage", "queue:"+c.queue(in.QueueUrl), nil)
	case *sqs.ChangeMessageVisibilityInput:
		c.add("sqs:ChangeMessageVisibility", "queue:"+c.queue(in.QueueUrl), nil)
	case *sesv2.SendEmailInput:
		c.add("ses:SendEmail", "ses-identity", nil)
	default:
		c.seen[call{Action: "unknown:" + op, Resource: "?"}]++
	}
}

func (c *calls) queue(url *string) string {
	if url == nil {
		return "?"
	}
	if id, ok := c.queues[*url]; ok {
		return id
	}
	return "?" + *url
}

func (c *calls) list() []call {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]call, 0, len(c.seen))
	for k := range c.seen {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}
