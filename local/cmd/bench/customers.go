package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"keycare/local/template"
)

// httpEvent is an HTTP API event as API Gateway delivers it after the JWT
// authorizer: the handler runs exactly as in Lambda.
func httpEvent(method, path, route, body string, claims map[string]string) events.APIGatewayV2HTTPRequest {
	return events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: route, RawPath: path, Body: body,
		Headers: map[string]string{"content-type": "application/json"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: route, RequestID: fmt.Sprint(time.Now().UnixNano()), DomainName: "bench.local",
			HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims}},
		},
	}
}

// replay sends the recorded inputs of one request again, bare, with fresh
// primary keys so that conditional puts succeed as they did for the handler.
func (b *bench) replay(calls []any, i int) error {
	fresh := func(item map[string]types.AttributeValue) map[string]types.AttributeValue {
		out := make(map[string]types.AttributeValue, len(item))
		for k, v := range item {
			out[k] = v
		}
		out["SK"] = &types.AttributeValueMemberS{Value: fmt.Sprintf("BARE#%d#%d", i, time.Now().UnixNano())}
		return out
	}
	for _, c := range calls {
		var err error
		switch in := c.(type) {
		case *dynamodb.GetItemInput:
			_, err = b.clients.DynamoDB.GetItem(b.ctx, in)
		case *dynamodb.BatchGetItemInput:
			_, err = b.clients.DynamoDB.BatchGetItem(b.ctx, in)
		case *dynamodb.QueryInput:
			_, err = b.clients.DynamoDB.Query(b.ctx, in)
		case *dynamodb.UpdateItemInput:
			cp := *in // on a fresh item; its condition may fail there, the trip is the same
			cp.Key = fresh(in.Key)
			_, err = b.clients.DynamoDB.UpdateItem(b.ctx, &cp)
			if errors.As(err, new(*types.ConditionalCheckFailedException)) {
				err = nil
			}
		case *dynamodb.PutItemInput:
			cp := *in
			cp.Item = fresh(in.Item)
			_, err = b.clients.DynamoDB.PutItem(b.ctx, &cp)
		case *dynamodb.TransactWriteItemsInput:
			cp := &dynamodb.TransactWriteItemsInput{}
			for _, ti := range in.TransactItems {
				switch {
				case ti.Put != nil:
					p := *ti.Put
					p.Item = fresh(p.Item)
					ti = types.TransactWriteItem{Put: &p}
				case ti.Update != nil:
					// A fresh item: the handler's condition on its current
					// value cannot hold there, so it is left out.
					u := *ti.Update
					u.Key = fresh(u.Key)
					u.ConditionExpression, u.ReturnValuesOnConditionCheckFailure = nil, ""
					vals := map[string]types.AttributeValue{}
					for k, v := range u.ExpressionAttributeValues {
						if k != ":last" {
							vals[k] = v
						}
					}
					u.ExpressionAttributeValues = vals
					ti = types.TransactWriteItem{Update: &u}
				}
				cp.TransactItems = append(cp.TransactItems, ti)
			}
			_, err = b.clients.DynamoDB.TransactWriteItems(b.ctx, cp)
		default:
			err = fmt.Errorf("replay of %T not implemented", c)
		}
		if err != nil {
			return fmt.Errorf("bare replay: %w", err)
		}
	}
	return nil
}

func (b *bench) customers() error {
	ctx := b.ctx
	db := &countingDB{Client: b.clients.DynamoDB, record: true}
	fn, err := b.function("CustomersFunction", db)
	if err != nil {
		return err
	}
	proxy := httpadapter.NewV2(fn.HTTP).ProxyWithContext
	claims := map[string]string{"sub": "alice", "cognito:groups": "[manager]", "custom:department": "sales"}
	body := `{"name":"上海精工机械有限公司","industry":"制造业","region":"华东","contacts":[{"name":"王伟","phone":"13812345678","email":"wang@example.cn","language":"zh"}],"contract":{"start":"2025-01-01","end":"2026-12-31","renewal":"pending"}}`
	var ids []string
	var postCalls, getCalls int64
	var recorded []any

	postSeries := func(i int) error {
		db.reset()
		before := db.calls.Load()
		resp, err := proxy(ctx, httpEvent("POST", "/customers", "POST /customers", body, claims))
		if err != nil || resp.StatusCode != 201 {
			return fmt.Errorf("POST /customers: %d %v %s", resp.StatusCode, err, resp.Body)
		}
		recorded = append(recorded[:0], db.last...)
		var v struct{ ID string }
		_ = json.Unmarshal([]byte(resp.Body), &v)
		ids = append(ids, v.ID)
		if i >= 0 {
			postCalls += db.calls.Load() - before
		}
		return nil
	}
	bare := func(i int) error { return b.replay(recorded, i) }
	post, err := measure(b.n, postSeries, bare)
	if err != nil {
		return err
	}
	getSeries := func(i int) error {
		id := ids[(i+len(ids))%len(ids)]
		db.reset()
		before := db.calls.Load()
		resp, err := proxy(ctx, httpEvent("GET", "/customers/"+id, "GET /customers/{id}", "", claims))
		if err != nil || resp.StatusCode != 200 {
			return fmt.Errorf("GET /customers/{id}: %d %v", resp.StatusCode, err)
		}
		recorded = append(recorded[:0], db.last...)
		if i >= 0 {
			getCalls += db.calls.Load() - before
		}
		return nil
	}
	get, err := measure(b.n, getSeries, bare)
	if err != nil {
		return err
	}

	fmt.Printf("## Customers API, in process against DynamoDB Local (%d requests each, interleaved with the bare calls, after warm-up)\n", b.n)
	fmt.Println("   bare = the same DynamoDB requests the handler just made, sent again directly with the SDK")
	fmt.Printf("  %-28s %10s %10s %10s %10s %14s %10s\n", "route", "p50", "p99", "bare p50", "bare p99", "DDB calls/req", "p50 ratio")
	row := func(name string, s []stats, calls int64) {
		fmt.Printf("  %-28s %10s %10s %10s %10s %14.2f %9.2f×\n", name, ms(s[0].p50), ms(s[0].p99), ms(s[1].p50), ms(s[1].p99),
			float64(calls)/float64(b.n), float64(s[0].p50)/float64(s[1].p50))
	}
	row("POST /customers", post, postCalls)
	row("GET /customers/{id}", get, getCalls)
	fmt.Println()
	return nil
}

func mustFunction(t *template.Template, id string) template.Function {
	f, ok := t.Function(id)
	if !ok {
		panic("template.yaml has no " + id)
	}
	return f
}
