package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Config keeps what the stack learns about itself while it runs: the public
// base URL of its links, as API Gateway reports the domain it was called
// on, for the scheduled functions, which get no request (a function's
// environment cannot name the HTTP API of its own template: the API's
// routes name the functions, a circular dependency).
type Config struct{ t *table }

func publicBaseKey() map[string]types.AttributeValue { return key("CONFIG#public-base", "URL") }

// PublicBase is the learned base URL, "" while none is.
func (r *Config) PublicBase(ctx context.Context) (string, error) {
	out, err := r.t.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(r.t.name), Key: publicBaseKey()})
	if err != nil {
		return "", fmt.Errorf("store: read the public base URL: %w", err)
	}
	if v, ok := out.Item["url"].(*types.AttributeValueMemberS); ok {
		return v.Value, nil
	}
	return "", nil
}

// SetPublicBase records the base URL the API was called on.
func (r *Config) SetPublicBase(ctx context.Context, url string) error {
	item := publicBaseKey()
	item["type"], item["url"] = str("config"), str(url)
	if _, err := r.t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(r.t.name), Item: item}); err != nil {
		return fmt.Errorf("store: record the public base URL: %w", err)
	}
	return nil
}
