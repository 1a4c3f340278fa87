package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"gopkg.in/yaml.v3"
)

// identifiers name the property CloudFormation imports each retained type by.
var identifiers = map[string]string{
	"AWS::DynamoDB::Table":   "TableName",
	"AWS::Cognito::UserPool": "UserPoolId",
}

// Retained writes what brings the resources a `sam delete` leaves behind
// (DeletionPolicy: Retain: the table, the user pool) back under a stack: a
// CloudFormation template holding them alone, as template.yaml declares them,
// for an IMPORT change set; and its resources to import, given the physical
// ids (logical id -> table name or user pool id; empty ones stay "<…>").
func Retained(templatePath string, ids map[string]string) (tpl []byte, toImport []byte, err error) {
	b, err := os.ReadFile(templatePath)
	if err != nil {
		return nil, nil, err
	}
	var doc struct {
		Resources map[string]yaml.Node `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, nil, err
	}
	keep := map[string]yaml.Node{}
	type resourceToImport struct {
		ResourceType       string            `json:"ResourceType"`
		LogicalResourceID  string            `json:"LogicalResourceId"`
		ResourceIdentifier map[string]string `json:"ResourceIdentifier"`
	}
	var imports []resourceToImport
	for id, n := range doc.Resources {
		var r struct {
			Type           string    `yaml:"Type"`
			DeletionPolicy string    `yaml:"DeletionPolicy"`
			Properties     yaml.Node `yaml:"Properties"`
		}
		if err := n.Decode(&r); err != nil {
			return nil, nil, err
		}
		if r.DeletionPolicy != "Retain" {
			continue
		}
		key, ok := identifiers[r.Type]
		if !ok {
			return nil, nil, fmt.Errorf("%s (%s) is retained, but its import identifier is not known here", id, r.Type)
		}
		if tagged(&r.Properties) {
			return nil, nil, fmt.Errorf("%s uses intrinsic functions; an import template of it alone would need their parameters", id)
		}
		keep[id] = n
		v := ids[id]
		if v == "" {
			v = "<" + key + " of the retained " + id + ">"
		}
		imports = append(imports, resourceToImport{ResourceType: r.Type, LogicalResourceID: id, ResourceIdentifier: map[string]string{key: v}})
	}
	sort.Slice(imports, func(i, j int) bool { return imports[i].LogicalResourceID < imports[j].LogicalResourceID })
	out := map[string]any{
		"AWSTemplateFormatVersion": "2010-09-09",
		"Description":              "keycare: the retained table and user pool alone, to import into a stack before `sam deploy` (README: Deploy to AWS)",
		"Resources":                keep,
	}
	if tpl, err = yaml.Marshal(out); err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err = enc.Encode(imports)
	return tpl, buf.Bytes(), err
}

func tagged(n *yaml.Node) bool {
	if len(n.Tag) > 1 && n.Tag[0] == '!' && n.Tag[1] != '!' {
		return true
	}
	for _, c := range n.Content {
		if tagged(c) {
			return true
		}
	}
	return false
}
