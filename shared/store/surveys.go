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

// Surveys are the satisfaction survey invitations (one per token), the
// answers and their monthly aggregates per customer, manager and company.
type Surveys struct{ t *table }

func surveyPK(token string) string { return "SURVEY#" + token }

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

// CreateInvitation stores a new invitation with, in the same transaction,
// what claim says: the contact's survey record (a contact surveyed since
// claim.ContactCut gives domain.ErrRecentlySurveyed), the complaint's one
// survey (domain.ErrComplaintSurveyed), the Idempotency-Key (a replay is a
// *domain.ReplayError, other content domain.ErrIdempotencyMismatch) and the
// invitation mail.
func (r *Surveys) CreateInvitation(ctx context.Context, in *domain.Invitation, claim domain.InvitationClaim) error {
	item, err := invitationItem(in)
	if err != nil {
		return err
	}
	tx := []types.TransactWriteItem{{Put: &types.Put{TableName: aws.String(r.t.name), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}}}
	contactAt, complaintAt, idemAt := -1, -1, -1
	if !claim.ContactCut.IsZero() {
		contactAt = len(tx)
		tx = append(tx, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(r.t.name),
			Item: map[string]types.AttributeValue{attrPK: str("SURVEYCONTACT#" + strings.ToLower(in.ContactEmail)), attrSK: str("LAST"),
				"type": str("survey-contact"), "lastAt": str(in.CreatedAt.UTC().Format(time.RFC3339Nano)),
				attrTTL: &types.AttributeValueMemberN{Value: strconv.FormatInt(claim.ContactUntil.Unix(), 10)}},
			ConditionExpression:       aws.String("attribute_not_exists(PK) OR lastAt < :cut"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":cut": str(claim.ContactCut.UTC().Format(time.RFC3339Nano))},
		}})
	}
	if claim.Complaint != "" {
		complaintAt = len(tx)
		tx = append(tx, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(r.t.name),
			Item: map[string]types.AttributeValue{attrPK: str("SURVEYCMP#" + claim.Complaint), attrSK: str("ONCE"), "type": str("survey-complaint"),
				"invitationId": str(in.ID), "at": str(in.CreatedAt.UTC().Format(time.RFC3339Nano))},
			ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	}
	if claim.Idempotency != nil {
		idemAt = len(tx)
		p, err := r.t.idemPut(*claim.Idempotency)
		if err != nil {
			return err
		}
		tx = append(tx, types.TransactWriteItem{Put: p})
	}
	puts, err := r.t.mailPuts(claim.Mail)
	if err != nil {
		return err
	}
	_, err = r.t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: append(tx, puts...)})
	switch {
	case err == nil:
		return nil
	case idemAt >= 0 && conditionFailedAt(err, idemAt):
		return r.t.idemOutcome(ctx, *claim.Idempotency)
	case contactAt >= 0 && conditionFailedAt(err, contactAt):
		return domain.ErrRecentlySurveyed
	case complaintAt >= 0 && conditionFailedAt(err, complaintAt):
		return domain.ErrComplaintSurveyed
	}
	return fmt.Errorf("store: create invitation: %w", err)
}

// GetInvitation reads an invitation by token.
func (r *Surveys) GetInvitation(ctx context.Context, token string) (*domain.Invitation, error) {
	return get[domain.Invitation](ctx, r.t, surveyPK(token), "INVITE", "invitation")
}

// OpenInvitations lists unanswered invitations, oldest first (reminders).
func (r *Surveys) OpenInvitations(ctx context.Context, limit int32, cursor string) (domain.Page[domain.Invitation], error) {
	return page[domain.Invitation](ctx, r.t, query{index: "GSI2", pk: "SURVEYOPEN", limit: limit, cursor: cursor})
}

// MarkReminded records the one reminder; false when it was already sent.
func (r *Surveys) MarkReminded(ctx context.Context, token string, at time.Time) (bool, error) {
	_, err := r.t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(r.t.name), Key: key(surveyPK(token), "INVITE"),
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
func (r *Surveys) UnmarkReminded(ctx context.Context, token string) error {
	_, err := r.t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(r.t.name), Key: key(surveyPK(token), "INVITE"),
		UpdateExpression: aws.String("REMOVE remindedAt")})
	if err != nil {
		return fmt.Errorf("store: unmark reminded: %w", err)
	}
	return nil
}

// Aggregate scopes: answers to invitations made by hand are added to
// aggregates of their own ("HAND#CUST#id", …), apart from those reports and
// rankings use ("CUST#id", "MGR#id", "MONTH").
func aggPrefix(r domain.SurveyResponse) string {
	if r.ByHand {
		return "AGG#HAND#"
	}
	return "AGG#"
}

// aggUpdate adds one answer, counted by domain.Aggregate, to the aggregate
// item pk/month.
func aggUpdate(table, pk, month string, a domain.Answer) types.TransactWriteItem {
	var g domain.Aggregate
	g.Add(a)
	return types.TransactWriteItem{Update: &types.Update{TableName: aws.String(table), Key: key(pk, month),
		UpdateExpression:         aws.String("ADD answers :a, satisfied :s, promoters :p, passives :q, detractors :d, sumOverall :o SET #t = :t"),
		ExpressionAttributeNames: map[string]string{"#t": "type"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":a": num(g.Answers), ":s": num(g.Satisfied), ":p": num(g.Promoters),
			":q": num(g.Passives), ":d": num(g.Detractors), ":o": num(g.SumOverall), ":t": str("survey-aggregate")}}}
}

// RecordAnswer stores an answer once per token and, in the same
// transaction, marks the invitation answered, adds it to the per-customer,
// per-manager and per-month aggregates and, for a poor answer, opens the
// manager's follow-up. A token already answered gives ErrDuplicateAnswer and
// changes nothing, so the aggregates always equal a recount of the answers.
// A token already answered is domain.ErrDuplicateAnswer.
func (r *Surveys) RecordAnswer(ctx context.Context, resp domain.SurveyResponse, f *domain.FollowUp) error {
	s := r.t
	item, err := marshal(resp, map[string]string{attrPK: surveyPK(resp.Token), attrSK: "RESPONSE", "type": "survey-response",
		"GSI3PK": "RESPMONTH#" + resp.Month, "GSI3SK": resp.CustomerID + "#" + resp.Token})
	if err != nil {
		return err
	}
	if resp.CustomerID != "" {
		item["GSI1PK"], item["GSI1SK"] = str("CUSTRESP#"+resp.CustomerID), str(resp.Month+"#"+resp.SubmittedAt.UTC().Format(time.RFC3339Nano)+"#"+resp.Token)
	}
	tx := []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(s.name), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		{Update: &types.Update{TableName: aws.String(s.name), Key: key(surveyPK(resp.Token), "INVITE"),
			UpdateExpression:          aws.String("SET answeredAt = :at REMOVE GSI2PK, GSI2SK"),
			ConditionExpression:       aws.String("attribute_exists(PK) AND attribute_not_exists(answeredAt)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":at": str(resp.SubmittedAt.UTC().Format(time.RFC3339Nano))}}},
		aggUpdate(s.name, aggPrefix(resp)+"MONTH", resp.Month, resp.Answer),
	}
	if resp.CustomerID != "" {
		tx = append(tx, aggUpdate(s.name, aggPrefix(resp)+"CUST#"+resp.CustomerID, resp.Month, resp.Answer))
	}
	if resp.ManagerID != "" {
		tx = append(tx, aggUpdate(s.name, aggPrefix(resp)+"MGR#"+resp.ManagerID, resp.Month, resp.Answer))
	}
	if f != nil {
		fi, err := followUpItem(f)
		if err != nil {
			return err
		}
		tx = append(tx, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.name), Item: fi, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	}
	_, err = r.t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
	if conditionFailedAt(err, 0) || conditionFailedAt(err, 1) {
		return domain.ErrDuplicateAnswer
	}
	if IsTransactionConflict(err) {
		return fmt.Errorf("store: record answer: %w", domain.ErrBusy)
	}
	if err != nil {
		return fmt.Errorf("store: record answer: %w", err)
	}
	return nil
}

func keptAnswerKey(token string) map[string]types.AttributeValue {
	return key("SURVEYKEPT#"+token, "ANSWER")
}

// KeepAnswer keeps an answer the survey queue could not take, for the
// hourly run; a token's first kept answer stays (the processor keeps one
// answer per token anyway).
func (r *Surveys) KeepAnswer(ctx context.Context, a domain.KeptAnswer) error {
	item, err := marshal(a, map[string]string{attrPK: "SURVEYKEPT#" + a.Token, attrSK: "ANSWER", "type": "survey-kept",
		"GSI1PK": "SURVEYKEPT", "GSI1SK": a.At.UTC().Format(time.RFC3339Nano) + "#" + a.Token})
	if err != nil {
		return err
	}
	_, err = r.t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(r.t.name), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")})
	if err != nil && !conditionFailed(err) {
		return fmt.Errorf("store: keep survey answer: %w", err)
	}
	return nil
}

// KeptAnswers lists answers kept before a time, oldest first.
func (r *Surveys) KeptAnswers(ctx context.Context, before time.Time, limit int32) ([]domain.KeptAnswer, error) {
	p, err := page[domain.KeptAnswer](ctx, r.t, query{index: "GSI1", pk: "SURVEYKEPT", limit: limit, sk: skCond{op: "<", a: before.UTC().Format(time.RFC3339Nano)}})
	return p.Items, err
}

// DropAnswer forgets a kept answer once it is queued.
func (r *Surveys) DropAnswer(ctx context.Context, token string) error {
	if _, err := r.t.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(r.t.name), Key: keptAnswerKey(token)}); err != nil {
		return fmt.Errorf("store: drop kept survey answer: %w", err)
	}
	return nil
}

// Aggregates reads the monthly aggregates of a scope ("CUST#id", "MGR#id" or
// "MONTH"; "HAND#CUST#id" … for answers to invitations made by hand) for
// months from..to (YYYY-MM, inclusive).
func (r *Surveys) Aggregates(ctx context.Context, scope, from, to string) ([]domain.MonthAggregate, error) {
	items, _, err := r.t.items(ctx, query{pk: "AGG#" + scope, sk: skCond{op: "between", a: from, b: to}})
	if err != nil {
		return nil, fmt.Errorf("store: aggregates: %w", err)
	}
	res := make([]domain.MonthAggregate, 0, len(items))
	for _, it := range items {
		var g domain.MonthAggregate
		if err := unmarshal(it, &g); err != nil {
			return nil, err
		}
		g.Month = it[attrSK].(*types.AttributeValueMemberS).Value
		res = append(res, g)
	}
	return res, nil
}

// ListResponses returns a page of answers of a customer (optionally one
// month, newest first) or of a month.
func (r *Surveys) ListResponses(ctx context.Context, q domain.ResponseQuery) (domain.Page[domain.SurveyResponse], error) {
	qq := query{limit: q.Limit, cursor: q.Cursor}
	if qq.limit <= 0 || qq.limit > 200 {
		qq.limit = 100
	}
	switch {
	case q.Customer != "" && q.Month != "":
		qq.index, qq.pk, qq.sk = "GSI1", "CUSTRESP#"+q.Customer, skCond{op: "begins", a: q.Month + "#"} // sort keys start with the month
	case q.Customer != "":
		qq.index, qq.pk, qq.newestFirst = "GSI1", "CUSTRESP#"+q.Customer, true
	case q.Month != "":
		qq.index, qq.pk = "GSI3", "RESPMONTH#"+q.Month
	default:
		return domain.Page[domain.SurveyResponse]{}, fmt.Errorf("store: list responses needs a customer or a month")
	}
	return page[domain.SurveyResponse](ctx, r.t, qq)
}
