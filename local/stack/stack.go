// Package stack creates, on the local emulators, the resources template.yaml
// declares: the table (keys, GSIs, TTL) and the queues (with their redrive
// policies), and resolves each function's environment against them.
package stack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"keycare/local/template"
	"keycare/shared/platform"
)

// Resources are the local names of what the template declares.
type Resources struct {
	Table     string
	QueueURLs map[string]string // logical id -> URL
	QueueARNs map[string]string
	Resolver  template.Resolver
}

// Create makes the table and queues of t with the given parameters (Stage
// defaults to "local"). Resources without a name in the template get one as
// CloudFormation generates it: keycare-<Stage>-<LogicalId>.
func Create(ctx context.Context, t *template.Template, c platform.AWS, params map[string]string) (*Resources, error) {
	r := template.Resolver{Params: map[string]string{}, Refs: map[string]string{}, Attrs: map[string]string{}}
	for k, v := range t.Parameters {
		r.Params[k] = v
	}
	r.Params["Stage"] = "local"
	for k, v := range params {
		r.Params[k] = v
	}
	// Cognito has no local stand-in (the console signs in locally without
	// it): a function's environment naming the user pool or its domain
	// resolves to a placeholder.
	for id, typ := range t.Types {
		if strings.HasPrefix(typ, "AWS::Cognito::") {
			r.Refs[id] = "local-" + strings.ToLower(id)
		}
	}
	res := &Resources{QueueURLs: map[string]string{}, QueueARNs: map[string]string{}, Resolver: r}
	name, err := r.Resolve(t.Table.Name)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = generatedName(r, t.Table.LogicalID)
	}
	res.Table = name
	r.Refs[t.Table.LogicalID] = name
	if err := createTable(ctx, c.DynamoDB, t.Table, name); err != nil {
		return nil, err
	}
	// Dead-letter queues first, so that redrive policies can name them.
	ordered := make([]template.Queue, 0, len(t.Queues))
	for _, q := range t.Queues {
		if q.DeadLetter == "" {
			ordered = append(ordered, q)
		}
	}
	for _, q := range t.Queues {
		if q.DeadLetter != "" {
			ordered = append(ordered, q)
		}
	}
	for _, q := range ordered {
		qname, err := r.Resolve(q.Name)
		if err != nil {
			return nil, err
		}
		if qname == "" {
			qname = generatedName(r, q.LogicalID)
		}
		attrs := map[string]string{}
		if q.VisibilityTimeout > 0 {
			attrs["VisibilityTimeout"] = strconv.Itoa(q.VisibilityTimeout)
		}
		if q.DeadLetter != "" {
			dlq, ok := res.QueueARNs[q.DeadLetter]
			if !ok {
				return nil, fmt.Errorf("stack: queue %s: dead-letter queue %s not declared", q.LogicalID, q.DeadLetter)
			}
			b, _ := json.Marshal(map[string]any{"deadLetterTargetArn": dlq, "maxReceiveCount": strconv.Itoa(q.MaxReceiveCount)})
			attrs["RedrivePolicy"] = string(b)
		}
		out, err := c.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(qname), Attributes: attrs})
		if err != nil {
			return nil, fmt.Errorf("stack: create queue %s: %w", qname, err)
		}
		url := aws.ToString(out.QueueUrl)
		ga, err := c.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
		if err != nil {
			return nil, fmt.Errorf("stack: queue %s arn: %w", qname, err)
		}
		arn := ga.Attributes["QueueArn"]
		res.QueueURLs[q.LogicalID], res.QueueARNs[q.LogicalID] = url, arn
		r.Refs[q.LogicalID] = url
		r.Attrs[q.LogicalID+".Arn"] = arn
		r.Attrs[q.LogicalID+".QueueName"] = qname
	}
	res.Resolver = r
	return res, nil
}

// generatedName is the local stand-in for a name CloudFormation generates
// (<stack>-<LogicalId>-<random>): unique per stage, so tests apart.
func generatedName(r template.Resolver, logicalID string) string {
	return "keycare-" + r.Params["Stage"] + "-" + logicalID
}

func createTable(ctx context.Context, db *dynamodb.Client, t template.Table, name string) error {
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		KeySchema:   keySchema(t.HashKey, t.RangeKey),
	}
	for n, typ := range t.Attributes {
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddbtypes.AttributeDefinition{AttributeName: aws.String(n), AttributeType: ddbtypes.ScalarAttributeType(typ)})
	}
	for _, g := range t.GSIs {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, ddbtypes.GlobalSecondaryIndex{
			IndexName: aws.String(g.Name), KeySchema: keySchema(g.HashKey, g.RangeKey),
			Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeAll},
		})
	}
	_, err := db.CreateTable(ctx, in)
	var inUse *ddbtypes.ResourceInUseException
	if errors.As(err, &inUse) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("stack: create table %s: %w", name, err)
	}
	if t.TTL != "" {
		_, err = db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(name),
			TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: aws.String(t.TTL), Enabled: aws.Bool(true)}})
		if err != nil {
			return fmt.Errorf("stack: ttl on %s: %w", name, err)
		}
	}
	return nil
}

func keySchema(hash, rng string) []ddbtypes.KeySchemaElement {
	ks := []ddbtypes.KeySchemaElement{{AttributeName: aws.String(hash), KeyType: ddbtypes.KeyTypeHash}}
	if rng != "" {
		ks = append(ks, ddbtypes.KeySchemaElement{AttributeName: aws.String(rng), KeyType: ddbtypes.KeyTypeRange})
	}
	return ks
}

// Config is the platform configuration of function f on these resources.
func (r *Resources) Config(t *template.Template, f template.Function) (platform.Config, error) {
	env, err := t.Environment(f, r.Resolver)
	if err != nil {
		return platform.Config{}, err
	}
	return platform.ConfigFrom(func(k string) string { return env[k] })
}
