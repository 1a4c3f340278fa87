package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/shared/domain"
)

func surveyPK(token string) string { return "SURVEY#" + token }

// ErrRecentlySurveyed means the contact had a survey within the gap.
var ErrRecentlySurveyed = errors.New("contact surveyed recently")

func invitationItem(in *domain.Invitation) (map[string]types.AttributeValue, error) {
	at := in.CreatedAt.UTC().Format(time.RFC3339Nano) + "#" + in.Token
	keys := map[string]string{attrPK: surveyPK(in.Token), attrSK: "INVITE", "type": "invitation"}
	if in.CustomerID != "" {
		keys["GSI1PK"], keys["GSI1SK"] = "CUSTSURVEY#"+in.CustomerID, at
	}
	if in.AnsweredAt == nil {
		keys["GSI2PK"], keys["GSI2SK"] = "SURVEYOPEN", at
	}
	return marshal(in, keys)
}

// CreateInvitation stores a new invitation. Unless exempt, it also claims
// the contact for gap (at most one survey per contact in that time): a
// contact surveyed more recently gives ErrRecentlySurveyed.
func (s *Store) CreateInvitation(ctx context.Context, in *domain.Invitation, gap time.Duration, exempt bool) error {
	item, err := invitationItem(in)
	if err != nil {
		return err
	}
	tx := []types.TransactWriteItem{{Put: &types.Put{TableName: aws.String(s.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}}}
	if !exempt {
		tx = append(tx, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.table),
			Item: map[string]types.AttributeValue{attrPK: str("SURVEYCONTACT#" + strings.ToLower(in.ContactEmail)), attrSK: str("LAST"),
				"type": str("survey-contact"), "lastAt": str(in.CreatedAt.UTC().Format(time.RFC3339Nano)),
				attrTTL: &types.AttributeValueMemberN{Value: strconv.FormatInt(in.CreatedAt.Add(gap).Unix(), 10)}},
			ConditionExpression:       aws.String("attribute_not_exists(PK) OR lastAt < :cut"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":cut": str(in.CreatedAt.Add(-gap).UTC().Format(time.RFC3339Nano))},
		}})
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
	if conditionFailedAt(err, 1) {
		return ErrRecentlySurveyed
	}
	if err != nil {
		return fmt.Errorf("store: create invitation: %w", err)
	}
	return nil
}

// GetInvitation reads an invitation by token.
func (s *Store) GetInvitation(ctx context.Context, token string) (*domain.Invitation, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key(surveyPK(token), "INVITE")})
	if err != nil {
		return nil, fmt.Errorf("store: get invitation: %w", err)
	}
	if out.Item == nil {
		return nil, fmt.Errorf("store: invitation: %w", domain.ErrNotFound)
	}
	var in domain.Invitation
	if err := unmarshal(out.Item, &in); err != nil {
		return nil, err
	}
	return &in, nil
}

// OpenInvitations lists unanswered invitations, oldest first (reminders).
func (s *Store) OpenInvitations(ctx context.Context, limit int32, cursor string) (Page[domain.Invitation], error) {
	items, next, err := s.query(ctx, "GSI2", "SURVEYOPEN", limit, cursor, false, nil)
	if err != nil {
		return Page[domain.Invitation]{}, err
	}
	page := Page[domain.Invitation]{NextCursor: next}
	for _, it := range items {
		var in domain.Invitation
		if err := unmarshal(it, &in); err != nil {
			return page, err
		}
		page.Items = append(page.Items, in)
	}
	return page, nil
}

// MarkReminded records the one reminder; false when it was already sent.
func (s *Store) MarkReminded(ctx context.Context, token string, at time.Time) (bool, error) {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(s.table), Key: key(surveyPK(token), "INVITE"),
		UpdateExpression:          aws.String("SET remindedAt = :at"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND attribute_not_exists(remindedAt) AND attribute_not_exists(answeredAt)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": str(at.UTC().Format(time.RFC3339Nano))}})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: mark reminded: %w", err)
	}
	return true, nil
}

// UnmarkReminded undoes MarkReminded when the reminder could not be queued.
func (s *Store) UnmarkReminded(ctx context.Context, token string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(s.table), Key: key(surveyPK(token), "INVITE"),
		UpdateExpression: aws.String("REMOVE remindedAt")})
	if err != nil {
		return fmt.Errorf("store: unmark reminded: %w", err)
	}
	return nil
}

// Response is a stored answer.
type Response struct {
	Token       string              `json:"token"`
	CustomerID  string              `json:"customerId,omitempty"`
	ManagerID   string              `json:"managerId,omitempty"`
	Department  string              `json:"department,omitempty"`
	Tier        domain.Tier         `json:"tier,omitempty"`
	Reason      domain.SurveyReason `json:"reason"`
	Month       string              `json:"month"` // YYYY-MM in the company's time zone
	Answer      domain.Answer       `json:"answer"`
	SubmittedAt time.Time           `json:"submittedAt"`
	Poor        bool                `json:"poor"`
}

// FollowUp is a task for an account manager after a poor answer.
type FollowUp struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customerId"`
	ManagerID  string    `json:"managerId"`
	Reason     string    `json:"reason"`
	Token      string    `json:"token"`
	DueAt      time.Time `json:"dueAt"`
	CreatedAt  time.Time `json:"createdAt"`
	Status     string    `json:"status"` // open | done
}

// ErrDuplicateAnswer means the token was already answered: nothing changed.
var ErrDuplicateAnswer = errors.New("survey already answered")

func aggUpdate(table, pk, month string, r Response) types.TransactWriteItem {
	sat, pro, pas, det := 0, 0, 0, 0
	if r.Answer.Satisfied() {
		sat = 1
	}
	switch r.Answer.NPSGroup() {
	case "promoter":
		pro = 1
	case "passive":
		pas = 1
	default:
		det = 1
	}
	return types.TransactWriteItem{Update: &types.Update{TableName: aws.String(table), Key: key(pk, month),
		UpdateExpression:         aws.String("ADD answers :one, satisfied :s, promoters :p, passives :q, detractors :d, sumOverall :o SET #t = :t"),
		ExpressionAttributeNames: map[string]string{"#t": "type"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1), ":s": num(sat), ":p": num(pro), ":q": num(pas), ":d": num(det),
			":o": num(r.Answer.Overall), ":t": str("survey-aggregate")}}}
}

// RecordAnswer stores an answer once per token and, in the same
// transaction, marks the invitation answered, adds it to the per-customer,
// per-manager and per-month aggregates and, for a poor answer, opens the
// manager's follow-up. A token already answered gives ErrDuplicateAnswer and
// changes nothing, so the aggregates always equal a recount of the answers.
func (s *Store) RecordAnswer(ctx context.Context, r Response, f *FollowUp) error {
	item, err := marshal(r, map[string]string{attrPK: surveyPK(r.Token), attrSK: "RESPONSE", "type": "survey-response",
		"GSI3PK": "RESPMONTH#" + r.Month, "GSI3SK": r.CustomerID + "#" + r.Token})
	if err != nil {
		return err
	}
	if r.CustomerID != "" {
		item["GSI1PK"], item["GSI1SK"] = str("CUSTRESP#"+r.CustomerID), str(r.Month+"#"+r.SubmittedAt.UTC().Format(time.RFC3339Nano)+"#"+r.Token)
	}
	tx := []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(s.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		{Update: &types.Update{TableName: aws.String(s.table), Key: key(surveyPK(r.Token), "INVITE"),
			UpdateExpression:          aws.String("SET answeredAt = :at REMOVE GSI2PK, GSI2SK"),
			ConditionExpression:       aws.String("attribute_exists(PK) AND attribute_not_exists(answeredAt)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":at": str(r.SubmittedAt.UTC().Format(time.RFC3339Nano))}}},
		aggUpdate(s.table, "AGG#MONTH", r.Month, r),
	}
	if r.CustomerID != "" {
		tx = append(tx, aggUpdate(s.table, "AGG#CUST#"+r.CustomerID, r.Month, r))
	}
	if r.ManagerID != "" {
		tx = append(tx, aggUpdate(s.table, "AGG#MGR#"+r.ManagerID, r.Month, r))
	}
	if f != nil {
		fi, err := marshal(f, map[string]string{attrPK: "FOLLOWUP#" + f.ID, attrSK: "TASK", "type": "follow-up",
			"GSI1PK": "MGRFOLLOWUP#" + f.ManagerID, "GSI1SK": f.DueAt.UTC().Format(time.RFC3339Nano) + "#" + f.ID})
		if err != nil {
			return err
		}
		tx = append(tx, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.table), Item: fi, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
	if conditionFailedAt(err, 0) || conditionFailedAt(err, 1) {
		return ErrDuplicateAnswer
	}
	if err != nil {
		return fmt.Errorf("store: record answer: %w", err)
	}
	return nil
}

// MonthAggregate is one month's counts.
type MonthAggregate struct {
	Month string `json:"month"`
	domain.Aggregate
}

// Aggregates reads the monthly aggregates of a scope ("CUST#id", "MGR#id" or
// "MONTH") for months from..to (YYYY-MM, inclusive).
func (s *Store) Aggregates(ctx context.Context, scope, from, to string) ([]MonthAggregate, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(s.table),
		KeyConditionExpression:    aws.String("PK = :pk AND SK BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str("AGG#" + scope), ":from": str(from), ":to": str(to)}})
	if err != nil {
		return nil, fmt.Errorf("store: aggregates: %w", err)
	}
	res := make([]MonthAggregate, 0, len(out.Items))
	for _, it := range out.Items {
		var g MonthAggregate
		if err := unmarshal(it, &g); err != nil {
			return nil, err
		}
		g.Month = it[attrSK].(*types.AttributeValueMemberS).Value
		res = append(res, g)
	}
	return res, nil
}

// ResponseQuery selects stored answers: of a customer (optionally one
// month), or of a month.
type ResponseQuery struct {
	Customer string
	Month    string
	Limit    int32
	Cursor   string
}

// ListResponses returns a page of answers.
func (s *Store) ListResponses(ctx context.Context, q ResponseQuery) (Page[Response], error) {
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 100
	}
	var items []map[string]types.AttributeValue
	var next string
	var err error
	switch {
	case q.Customer != "" && q.Month != "":
		// Sort keys start with the month.
		items, next, err = s.queryRange(ctx, "GSI1", "CUSTRESP#"+q.Customer, "^"+q.Month+"#", q.Limit, q.Cursor, false, nil)
	case q.Customer != "":
		items, next, err = s.query(ctx, "GSI1", "CUSTRESP#"+q.Customer, q.Limit, q.Cursor, true, nil)
	case q.Month != "":
		items, next, err = s.query(ctx, "GSI3", "RESPMONTH#"+q.Month, q.Limit, q.Cursor, false, nil)
	default:
		return Page[Response]{}, fmt.Errorf("store: list responses needs a customer or a month")
	}
	if err != nil {
		return Page[Response]{}, err
	}
	page := Page[Response]{Items: make([]Response, 0, len(items)), NextCursor: next}
	for _, it := range items {
		var r Response
		if err := unmarshal(it, &r); err != nil {
			return page, err
		}
		page.Items = append(page.Items, r)
	}
	return page, nil
}

// FollowUpsOf lists a manager's follow-up tasks by due time.
func (s *Store) FollowUpsOf(ctx context.Context, manager string, limit int32) ([]FollowUp, error) {
	items, _, err := s.query(ctx, "GSI1", "MGRFOLLOWUP#"+manager, limit, "", false, nil)
	if err != nil {
		return nil, err
	}
	out := make([]FollowUp, 0, len(items))
	for _, it := range items {
		var f FollowUp
		if err := unmarshal(it, &f); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}
