package deploy

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// resources of a type, by logical id.
func resources(tpl map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range tpl["Resources"].(map[string]any) {
		if m, ok := r.(map[string]any); ok && m["Type"] == typ {
			out[id] = m
		}
	}
	return out
}

func functions(tpl map[string]any) map[string]map[string]any {
	return resources(tpl, "AWS::Serverless::Function")
}

func sorted[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// alarmsOn lists the alarms whose dimension names value (a Ref or GetAtt
// of a resource) and that notify the alarm topic.
func alarmsOn(tpl map[string]any, metric, resource string) []string {
	var out []string
	for id, a := range resources(tpl, "AWS::CloudWatch::Alarm") {
		if Get(a, "Properties", "MetricName") != metric {
			continue
		}
		notifies := false
		for _, act := range asList(Get(a, "Properties", "AlarmActions")) {
			notifies = notifies || Ref(act) == "AlarmTopic"
		}
		for _, d := range asList(Get(a, "Properties", "Dimensions")) {
			v := Get(d, "Value")
			gid, _ := GetAtt(v)
			if notifies && (Ref(v) == resource || gid == resource) {
				out = append(out, id)
			}
		}
	}
	return out
}

func timeout(tpl map[string]any, fn map[string]any) int {
	if v, ok := Get(fn, "Properties", "Timeout").(int); ok {
		return v
	}
	if v, ok := Get(tpl, "Globals", "Function", "Timeout").(int); ok {
		return v
	}
	return 3
}

// What running unattended needs, resource by resource.
func TestTemplateRules(t *testing.T) {
	tpl := loadTemplate(t)
	res := tpl["Resources"].(map[string]any)
	fns := functions(tpl)
	check := func(ok bool, format string, args ...any) {
		t.Helper()
		if !ok {
			t.Errorf(format, args...)
		}
	}

	// Names are generated; what holds data is kept.
	fixedNames := map[string]string{"AWS::DynamoDB::Table": "TableName", "AWS::SQS::Queue": "QueueName", "AWS::Cognito::UserPool": "UserPoolName",
		"AWS::Serverless::Function": "FunctionName", "AWS::Logs::LogGroup": "LogGroupName", "AWS::SNS::Topic": "TopicName"}
	for _, id := range sorted(res) {
		r := res[id].(map[string]any)
		if prop, ok := fixedNames[Get(r, "Type").(string)]; ok {
			check(Get(r, "Properties", prop) == nil, "%s has a fixed %s: names are generated (README: Deploy to AWS)", id, prop)
		}
		check(Get(r, "Properties", "ReservedConcurrentExecutions") == nil, "%s reserves concurrency: accounts with a quota of 10 cannot deploy it; scheduled runs take a lease instead", id)
	}
	// The sign-in domain's prefix is unique across AWS, so it cannot be
	// generated; a replaced user pool needs a new one (AuthDomainPrefix).
	for id, d := range resources(tpl, "AWS::Cognito::UserPoolDomain") {
		b, _ := json.Marshal(Get(d, "Properties", "Domain"))
		check(strings.Contains(string(b), `"AuthDomainPrefix"`), "%s: Domain %s cannot be changed by AuthDomainPrefix: a replaced user pool's new domain would collide with the old", id, b)
	}
	for _, typ := range []string{"AWS::DynamoDB::Table", "AWS::Cognito::UserPool"} {
		rs := resources(tpl, typ)
		check(len(rs) > 0, "no %s", typ)
		for id, r := range rs {
			check(r["DeletionPolicy"] == "Retain" && r["UpdateReplacePolicy"] == "Retain", "%s: DeletionPolicy and UpdateReplacePolicy must be Retain", id)
		}
	}

	// Alarms reach a person.
	topicOK := false
	for _, s := range resources(tpl, "AWS::SNS::Subscription") {
		topicOK = topicOK || (Ref(Get(s, "Properties", "TopicArn")) == "AlarmTopic" && Get(s, "Properties", "Protocol") == "email" && Ref(Get(s, "Properties", "Endpoint")) == "AlarmEmail")
	}
	check(topicOK, "AlarmTopic has no email subscription to the AlarmEmail parameter")
	logGroups := resources(tpl, "AWS::Logs::LogGroup")
	retained := func(lg string) bool {
		return logGroups[lg] != nil && Ref(Get(logGroups[lg], "Properties", "RetentionInDays")) == "LogRetentionDays"
	}
	for _, id := range sorted(fns) {
		fn := fns[id]
		check(retained(Ref(Get(fn, "Properties", "LoggingConfig", "LogGroup"))), "%s: LoggingConfig.LogGroup is not a declared log group kept LogRetentionDays", id)
		for _, m := range []string{"Errors", "Throttles"} {
			check(len(alarmsOn(tpl, m, id)) == 1, "%s: %d alarms on %s that notify AlarmTopic, want 1", id, len(alarmsOn(tpl, m, id)), m)
		}
	}
	for id, api := range resources(tpl, "AWS::Serverless::HttpApi") {
		lg, _ := GetAtt(Get(api, "Properties", "AccessLogSettings", "DestinationArn"))
		check(retained(lg), "%s: access logs do not go to a declared log group kept LogRetentionDays", id)
		check(len(alarmsOn(tpl, "5xx", id)) == 1, "%s: no alarm on 5xx that notifies AlarmTopic", id)
		check(Get(api, "Properties", "CorsConfiguration") == nil, "%s: CorsConfiguration: SAM replaces the whole CORS block with AllowOrigins when that is an intrinsic; put it in DefinitionBody's x-amazon-apigateway-cors", id)
		origins, _ := json.Marshal(Get(api, "Properties", "DefinitionBody", "x-amazon-apigateway-cors", "allowOrigins"))
		check(strings.Contains(string(origins), `"AllowedOrigins"`) && !strings.Contains(string(origins), `"*"`), "%s: CORS origins %s, want the AllowedOrigins parameter", id, origins)
	}

	// Every dead-letter queue alarms: redrive targets, failure destinations, schedule DLQs.
	dlqs := map[string]string{}
	for id, q := range resources(tpl, "AWS::SQS::Queue") {
		if d, _ := GetAtt(Get(q, "Properties", "RedrivePolicy", "deadLetterTargetArn")); d != "" {
			dlqs[d] = "the dead-letter queue of " + id
		}
	}
	schedDLQ := map[string]string{}
	for _, id := range sorted(fns) {
		fn := fns[id]
		onFailure, _ := GetAtt(Get(fn, "Properties", "EventInvokeConfig", "DestinationConfig", "OnFailure", "Destination"))
		events, _ := Get(fn, "Properties", "Events").(map[string]any)
		for _, evName := range sorted(events) {
			ev := events[evName]
			p := Get(ev, "Properties")
			switch Get(ev, "Type") {
			case "Schedule":
				t.Errorf("%s.%s: an EventBridge rule in UTC; use ScheduleV2 in the company's TimeZone", id, evName)
			case "ScheduleV2":
				check(Ref(Get(p, "ScheduleExpressionTimezone")) == "TimeZone", "%s.%s: ScheduleExpressionTimezone is not !Ref TimeZone", id, evName)
				check(Get(p, "OmitName") == true, "%s.%s: without OmitName SAM names the schedule after its logical id, and two stages in one account collide", id, evName)
				check(Get(p, "RetryPolicy", "MaximumRetryAttempts") != nil && Get(p, "RetryPolicy", "MaximumEventAgeInSeconds") != nil, "%s.%s: no RetryPolicy", id, evName)
				in, _ := Get(p, "Input", "Fn::Sub").(string)
				check(json.Valid([]byte(in)) && strings.Contains(in, "<aws.scheduler.scheduled-time>"), "%s.%s: Input %q is not JSON naming the scheduled time", id, evName, in)
				dlq, _ := GetAtt(Get(p, "DeadLetterConfig", "Arn"))
				check(dlq != "", "%s.%s: no DeadLetterConfig", id, evName)
				check(onFailure == dlq, "%s: a failed run goes to %q (EventInvokeConfig OnFailure), not to its schedule's DLQ %q", id, onFailure, dlq)
				if other, dup := schedDLQ[dlq]; dup {
					t.Errorf("%s.%s shares its DLQ %s with %s", id, evName, dlq, other)
				}
				schedDLQ[dlq] = id + "." + evName
				dlqs[dlq] = "the DLQ of schedule " + id + "." + evName
			case "SQS":
				q, _ := GetAtt(Get(p, "Queue"))
				vis, _ := Get(res[q], "Properties", "VisibilityTimeout").(int)
				check(vis >= 6*timeout(tpl, fn), "%s: queue %s has a visibility timeout of %d s, less than 6x the function's %d s", id, q, vis, timeout(tpl, fn))
				if q == "MailQueue" {
					mc := Get(p, "ScalingConfig", "MaximumConcurrency")
					check(mc != nil, "%s: no ScalingConfig.MaximumConcurrency on the mail trigger (SES's send rate)", id)
					env := Get(fn, "Properties", "Environment", "Variables")
					check(fmt.Sprint(Get(env, "MAIL_CONCURRENCY")) == fmt.Sprint(mc), "%s: MAIL_CONCURRENCY %v is not the trigger's MaximumConcurrency %v: the mailers would share SES's rate wrongly", id, Get(env, "MAIL_CONCURRENCY"), mc)
					check(Ref(Get(env, "SES_SEND_RATE")) == "SesSendRate", "%s: SES_SEND_RATE is not the SesSendRate parameter", id)
				}
			}
		}
	}
	check(len(schedDLQ) > 0, "no ScheduleV2 event")
	for _, q := range sorted(dlqs) {
		as := alarmsOn(tpl, "ApproximateNumberOfMessagesVisible", q)
		check(len(as) == 1, "%s (%s) has no alarm that notifies AlarmTopic", q, dlqs[q])
		for _, a := range as { // a DLQ emptied (redriven) says so, as every DLQ alarm does
			ok := false
			for _, act := range asList(Get(resources(tpl, "AWS::CloudWatch::Alarm")[a], "Properties", "OKActions")) {
				ok = ok || Ref(act) == "AlarmTopic"
			}
			check(ok, "%s: no OKActions to AlarmTopic: nobody hears that %s is empty again", a, q)
		}
	}

	// The mailer's SES client follows SesRegion.
	mailer := fns["MailerFunction"]
	check(Ref(Get(mailer, "Properties", "Environment", "Variables", "SES_REGION")) == "SesRegion", "MailerFunction: SES_REGION is not !Ref SesRegion")

	// No statement grants on "*".
	for _, id := range sorted(fns) {
		for _, p := range asList(Get(fns[id], "Properties", "Policies")) {
			for _, st := range asList(Get(p, "Statement")) {
				for _, r := range asList(Get(st, "Resource")) {
					check(fmt.Sprint(r) != "*", "%s: a statement on Resource \"*\"", id)
				}
			}
		}
	}
}
