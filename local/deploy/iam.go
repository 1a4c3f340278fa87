package deploy

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
)

// Statement is one Allow statement of a function's role, its resources
// named by kind: "table", "index" (the table's GSIs), "queue:<LogicalId>",
// "ses-identity", "*", or "other:<json>".
type Statement struct {
	Policy      string
	Actions     []string
	Resources   []string
	LeadingKeys []string // dynamodb:LeadingKeys patterns (ForAllValues:StringLike), if conditioned
	Effect      string
}

// Role is what a function's execution role grants, split by who uses it.
type Role struct {
	Code    []Statement // the function's Policies: what its own SDK calls may do
	Service []string    // inline policies SAM adds for Lambda's use (EventInvokeConfig destinations)
	Managed []string    // managed policies, by name
}

// FunctionRoles reads each Lambda function's execution role from a
// transformed (CloudFormation) template.
func FunctionRoles(cfn map[string]any) (map[string]Role, error) {
	res, _ := cfn["Resources"].(map[string]any)
	out := map[string]Role{}
	for id, r := range res {
		if Get(r, "Type") != "AWS::Lambda::Function" {
			continue
		}
		roleID, _ := GetAtt(Get(r, "Properties", "Role"))
		role, ok := res[roleID]
		if !ok || Get(role, "Type") != "AWS::IAM::Role" {
			return nil, fmt.Errorf("%s: role %q is not in the template", id, roleID)
		}
		var fr Role
		for _, arn := range asList(Get(role, "Properties", "ManagedPolicyArns")) {
			s, _ := arn.(string)
			fr.Managed = append(fr.Managed, s[strings.LastIndex(s, "/")+1:])
		}
		for _, p := range asList(Get(role, "Properties", "Policies")) {
			name, _ := Get(p, "PolicyName").(string)
			if strings.HasSuffix(name, "EventInvokeConfigOnFailureSQSPolicy") {
				fr.Service = append(fr.Service, name)
				continue
			}
			for _, st := range asList(Get(p, "PolicyDocument", "Statement")) {
				s := Statement{Policy: name}
				s.Effect, _ = Get(st, "Effect").(string)
				for _, a := range asList(Get(st, "Action")) {
					as, _ := a.(string)
					s.Actions = append(s.Actions, as)
				}
				for _, rv := range asList(Get(st, "Resource")) {
					s.Resources = append(s.Resources, resourceKind(res, rv))
				}
				for _, k := range asList(Get(st, "Condition", "ForAllValues:StringLike", "dynamodb:LeadingKeys")) {
					ks, _ := k.(string)
					s.LeadingKeys = append(s.LeadingKeys, ks)
				}
				fr.Code = append(fr.Code, s)
			}
		}
		sort.Strings(fr.Managed)
		out[id] = fr
	}
	return out, nil
}

func resourceKind(res map[string]any, v any) string {
	if s, ok := v.(string); ok && s == "*" {
		return "*"
	}
	if id, attr := GetAtt(v); attr == "Arn" {
		switch Get(res[id], "Type") {
		case "AWS::DynamoDB::Table":
			return "table"
		case "AWS::SQS::Queue":
			return "queue:" + id
		}
	}
	sub := Get(v, "Fn::Sub")
	if l, ok := sub.([]any); ok && len(l) > 0 {
		sub = l[0]
	}
	if s, ok := sub.(string); ok {
		switch {
		case strings.HasSuffix(s, ".Arn}/index/*") && strings.HasPrefix(s, "${"):
			if Get(res[strings.TrimSuffix(strings.TrimPrefix(s, "${"), ".Arn}/index/*")], "Type") == "AWS::DynamoDB::Table" {
				return "index"
			}
		case strings.Contains(s, ":ses:") && strings.Contains(s, ":identity/"):
			return "ses-identity"
		}
	}
	b, _ := json.Marshal(v)
	return "other:" + string(b)
}

// LeadingKeyMatches tells whether a partition key prefix ("CMP#") falls under
// a dynamodb:LeadingKeys pattern ("CMP#*").
func LeadingKeyMatches(pattern, prefix string) bool {
	ok, _ := path.Match(pattern, prefix+"x")
	return ok
}
