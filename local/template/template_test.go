package template

import (
	"reflect"
	"strings"
	"testing"
)

const sample = `
Parameters:
  Origins: {Type: String, Default: "https://a.example,https://b.example"}
  Zone: {Type: String, Default: Asia/Shanghai}
Globals:
  Function:
    Timeout: 15
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: PK, KeyType: HASH}]
  Dlq: {Type: AWS::SQS::Queue}
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: $default
      DefinitionBody:
        openapi: "3.0.1"
        paths: {}
        x-amazon-apigateway-cors:
          allowOrigins: !Split [",", !Ref Origins]
          allowMethods: [GET, POST]
          allowHeaders: [Authorization]
          exposeHeaders: [ETag]
          maxAge: 600
  Plain:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Old: {Type: Schedule, Properties: {Schedule: rate(1 hour)}}
  Tuned:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 120
      EventInvokeConfig:
        MaximumRetryAttempts: 1
        MaximumEventAgeInSeconds: 3600
        DestinationConfig: {OnFailure: {Type: SQS, Destination: !GetAtt Dlq.Arn}}
      Events:
        Daily:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: cron(0 10 * * ? *)
            ScheduleExpressionTimezone: !Ref Zone
            Input: !Sub '{"account":"${AWS::AccountId}","time":"<aws.scheduler.scheduled-time>"}'
            RetryPolicy: {MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600}
            DeadLetterConfig: {Arn: !GetAtt Dlq.Arn}
`

func TestParseScheduleV2TimeoutsCors(t *testing.T) {
	tpl, err := Parse([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	r := Resolver{Params: tpl.Parameters}
	plain, _ := tpl.Function("Plain")
	tuned, _ := tpl.Function("Tuned")
	if plain.Timeout != 15 || tuned.Timeout != 120 {
		t.Errorf("timeouts %d, %d; want the global 15 and the own 120", plain.Timeout, tuned.Timeout)
	}
	if plain.Async != (AsyncConfig{MaxRetries: 2, MaxAge: 21600}) || tuned.Async != (AsyncConfig{MaxRetries: 1, MaxAge: 3600, OnFailure: "Dlq"}) {
		t.Errorf("async configs %+v, %+v", plain.Async, tuned.Async)
	}
	if s := plain.Schedules[0]; s.V2 || s.Expression != "rate(1 hour)" {
		t.Errorf("Schedule event %+v", s)
	}
	s := tuned.Schedules[0]
	zone, err := r.Resolve(s.Timezone)
	if err != nil || !s.V2 || s.Expression != "cron(0 10 * * ? *)" || zone != "Asia/Shanghai" || s.RetryAttempts != 10 || s.RetryMaxAge != 3600 || s.DeadLetter != "Dlq" {
		t.Errorf("ScheduleV2 event %+v (zone %q, %v)", s, zone, err)
	}
	input, err := r.Resolve(s.Input)
	if err != nil || input != `{"account":"000000000000","time":"<aws.scheduler.scheduled-time>"}` {
		t.Errorf("input %q %v", input, err)
	}
	if len(tpl.HttpApis) != 1 || tpl.HttpApis[0].Cors == nil {
		t.Fatalf("http apis %+v", tpl.HttpApis)
	}
	c := tpl.HttpApis[0].Cors
	origins, err := r.ResolveList(c.AllowOrigins)
	if err != nil || !reflect.DeepEqual(origins, []string{"https://a.example", "https://b.example"}) || c.MaxAge != 600 || len(c.AllowMethods) != 2 {
		t.Errorf("cors %+v origins %v %v", c, origins, err)
	}
	// SAM's CorsConfiguration is refused, not half read: SAM drops all of it
	// but AllowOrigins when that is an intrinsic.
	sam := strings.Replace(sample, "      DefinitionBody:", "      CorsConfiguration: {AllowOrigins: [\"https://a.example\"]}\n      DefinitionBody:", 1)
	if _, err := Parse([]byte(sam)); err == nil || !strings.Contains(err.Error(), "CorsConfiguration") {
		t.Errorf("a CorsConfiguration: %v", err)
	}
}
